"""Name the line a handler is parked on, and what it waits for.

A stack is sampled with `sys._current_frames()` (threads) or by walking `cr_await` (coroutines).
The blocked line is the innermost frame in user code: not the standard library, not
site-packages, not the harness. The state label comes, in order, from the library frames
just below that line (queue.py `Queue.put` -> "queue put: full"), from whether the thread is
burning CPU (a loop with no exit), and last from the call the user line is making into C
(`lock.acquire()` has no Python frame below it).
"""

from __future__ import annotations

import ast
import dis
import io
import linecache
import os
import sys
import sysconfig
import threading
import time
import tokenize
import traceback
from dataclasses import dataclass, field
from functools import lru_cache
from types import CodeType, FrameType
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from .. import collector
from .report import Site

_HARNESS_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _library_dirs() -> Tuple[str, ...]:
    dirs = set()
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        path = sysconfig.get_paths().get(key)
        if path:
            dirs.add(os.path.realpath(path) + os.sep)
    for prefix in {sys.base_prefix, sys.base_exec_prefix}:
        # the interpreter's own lib dir, also when running inside a venv
        ver = f"python{sys.version_info[0]}.{sys.version_info[1]}"
        dirs.add(os.path.realpath(os.path.join(prefix, "lib", ver)) + os.sep)
    return tuple(sorted(dirs))


_LIB_DIRS = _library_dirs()


@lru_cache(maxsize=4096)
def is_user_file(filename: str) -> bool:
    """True for code the user wrote: the only frames worth naming."""
    if not filename or filename.startswith("<"):
        return False  # <frozen importlib._bootstrap>, <string>
    path = os.path.realpath(filename)
    if path.startswith(_HARNESS_DIR):
        return False
    parts = path.split(os.sep)
    if "site-packages" in parts or "dist-packages" in parts:
        return False
    return not any(path.startswith(d) for d in _LIB_DIRS)


# --- qualified names (co_qualname exists from 3.11; before, index the file's defs once) ---


@lru_cache(maxsize=512)
def _def_index(filename: str) -> Dict[int, str]:
    try:
        with open(filename, "rb") as fh:
            tree = ast.parse(fh.read())
    except (OSError, SyntaxError, ValueError):
        return {}
    index: Dict[int, str] = {}

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                qual = f"{prefix}{child.name}"
                if not isinstance(child, ast.ClassDef):
                    index[child.lineno] = qual
                    for dec in child.decorator_list:  # co_firstlineno is the first decorator
                        index.setdefault(dec.lineno, qual)
                inner = f"{qual}.<locals>." if not isinstance(child, ast.ClassDef) else f"{qual}."
                walk(child, inner)
            else:
                walk(child, prefix)

    walk(tree, "")
    return index


def qualname(code: CodeType) -> str:
    name = getattr(code, "co_qualname", None)
    if name:
        return name
    return _def_index(code.co_filename).get(code.co_firstlineno, code.co_name)


# --- frames ---


def current_frames() -> Dict[int, FrameType]:
    """``sys._current_frames()`` with the cyclic collector held off: up to Python 3.11 a collection
    run while it holds the runtime's thread-list lock can finalise an object whose thread state
    takes that lock again, and the process deadlocks (CPython gh-106883, fixed in 3.12)."""
    with collector.paused():
        return sys._current_frames()


def thread_frames(frame: Optional[FrameType]) -> List[FrameType]:
    """The stack ending at `frame`, outermost first."""
    frames: List[FrameType] = []
    while frame is not None:
        frames.append(frame)
        frame = frame.f_back
    frames.reverse()
    return frames


def coro_frames(coro: object) -> List[FrameType]:
    """Frames of a coroutine and everything it awaits, outermost first (the `cr_await` chain)."""
    frames: List[FrameType] = []
    seen = 0
    while coro is not None and seen < 200:
        seen += 1
        frame = (
            getattr(coro, "cr_frame", None)
            or getattr(coro, "gi_frame", None)
            or getattr(coro, "ag_frame", None)
        )
        if frame is None:
            break
        frames.append(frame)
        coro = (
            getattr(coro, "cr_await", None)
            or getattr(coro, "gi_yieldfrom", None)
            or getattr(coro, "ag_await", None)
        )
    return frames


def _without_comment(line: str) -> str:
    if "#" not in line:
        return line
    try:
        for tok in tokenize.generate_tokens(io.StringIO(line).readline):
            if tok.type == tokenize.COMMENT:
                return line[: tok.start[1]].rstrip()
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return line


def site_of(frame: FrameType) -> Site:
    code = frame.f_code
    line = frame.f_lineno or code.co_firstlineno
    source = _without_comment(linecache.getline(code.co_filename, line).strip())
    return Site(file=os.path.abspath(code.co_filename), line=line, func=code.co_name, source=source)


def innermost_user(frames: Sequence[FrameType]) -> Optional[int]:
    for i in range(len(frames) - 1, -1, -1):
        if is_user_file(frames[i].f_code.co_filename):
            return i
    return None


def outermost_user(frames: Sequence[FrameType]) -> Optional[int]:
    for i, frame in enumerate(frames):
        if is_user_file(frame.f_code.co_filename):
            return i
    return None


def format_frames(frames: Sequence[FrameType]) -> str:
    summary = traceback.StackSummary.extract(((f, f.f_lineno) for f in frames), lookup_lines=True)
    return "".join(summary.format())


class LazyStack:
    """A stack remembered as (file, line, function) and formatted only when reported.

    Creation sites are recorded for every thread, task and response a request makes: reading
    source lines then (as traceback.extract_stack does, with an os.stat per file) would slow
    the handler down - and show up as an event-loop block of its own.
    """

    __slots__ = ("entries",)

    def __init__(self, frames: Sequence[FrameType]) -> None:
        self.entries = [(f.f_code.co_filename, f.f_lineno, f.f_code.co_name) for f in frames]

    def __str__(self) -> str:
        summary = traceback.StackSummary.from_list([(fn, ln, name, None) for fn, ln, name in self.entries])
        return "".join(summary.format())


def user_site_of_caller(skip: int = 1) -> Tuple[Optional[Site], "LazyStack | str"]:
    """The innermost user frame of the calling thread, and its stack (for creation sites)."""
    frame: Optional[FrameType] = sys._getframe(skip + 1)
    frames = thread_frames(frame)
    i = innermost_user(frames)
    if i is None:
        return None, ""
    return site_of(frames[i]), LazyStack(frames[: i + 1])


# --- state labels ---

# (file suffix, qualified name or "*", label): library frames just below the user line.
_RULES: Tuple[Tuple[str, str, str], ...] = (
    ("/queue.py", "Queue.put", "queue put: full"),
    ("/queue.py", "Queue.get", "queue get: empty"),
    ("/queue.py", "Queue.join", "queue join"),
    ("/threading.py", "Event.wait", "event wait"),
    ("/threading.py", "Condition.wait", "condition wait"),
    ("/threading.py", "Condition.wait_for", "condition wait"),
    ("/threading.py", "Thread.join", "thread join"),
    ("/threading.py", "Semaphore.acquire", "semaphore acquire"),
    ("/threading.py", "BoundedSemaphore.acquire", "semaphore acquire"),
    ("/threading.py", "Barrier.wait", "barrier wait"),
    ("/concurrent/futures/_base.py", "Future.result", "future result"),
    ("/concurrent/futures/_base.py", "Future.exception", "future result"),
    ("/concurrent/futures/_base.py", "wait", "future wait"),
    ("/concurrent/futures/_base.py", "as_completed", "future wait"),
    ("/concurrent/futures/thread.py", "ThreadPoolExecutor.shutdown", "executor shutdown"),
    ("/subprocess.py", "*", "subprocess wait"),
    ("/multiprocessing/pool.py", "ApplyResult.get", "pool result"),
    ("/multiprocessing/pool.py", "ApplyResult.wait", "pool result"),
    ("/multiprocessing/process.py", "BaseProcess.join", "process join"),
    ("/multiprocessing/queues.py", "Queue.put", "queue put: full"),
    ("/multiprocessing/queues.py", "Queue.get", "queue get: empty"),
    ("/socket.py", "create_connection", "socket connect"),
    ("/socket.py", "socket.accept", "socket accept"),
    ("/socket.py", "SocketIO.readinto", "socket read"),
    ("/ssl.py", "SSLSocket.do_handshake", "tls handshake"),
    ("/ssl.py", "SSLSocket.read", "socket read"),
    ("/ssl.py", "SSLSocket.recv", "socket read"),
    ("/ssl.py", "SSLSocket.recv_into", "socket read"),
    ("/urllib3/util/connection.py", "create_connection", "socket connect"),
    ("/httpcore/_backends/sync.py", "SyncStream.read", "socket read"),
    ("/httpcore/_backends/sync.py", "SyncBackend.connect_tcp", "socket connect"),
    ("/selectors.py", "*", "socket wait (select)"),
    # coroutines
    ("/asyncio/queues.py", "Queue.put", "queue put: full"),
    ("/asyncio/queues.py", "Queue.get", "queue get: empty"),
    ("/asyncio/queues.py", "Queue.join", "queue join"),
    ("/asyncio/locks.py", "Event.wait", "event wait"),
    ("/asyncio/locks.py", "Condition.wait", "condition wait"),
    ("/asyncio/locks.py", "Condition.wait_for", "condition wait"),
    ("/asyncio/locks.py", "Lock.acquire", "lock acquire"),
    ("/asyncio/locks.py", "Semaphore.acquire", "semaphore acquire"),
    ("/asyncio/locks.py", "BoundedSemaphore.acquire", "semaphore acquire"),
    ("/asyncio/locks.py", "Barrier.wait", "barrier wait"),
    ("/asyncio/tasks.py", "sleep", "sleep"),
    ("/asyncio/tasks.py", "wait", "task wait"),
    ("/asyncio/tasks.py", "_wait", "task wait"),
    ("/asyncio/streams.py", "open_connection", "socket connect"),
    ("/asyncio/streams.py", "StreamReader.read", "socket read"),
    ("/asyncio/streams.py", "StreamReader.readline", "socket read"),
    ("/asyncio/streams.py", "StreamReader.readexactly", "socket read"),
    ("/asyncio/streams.py", "StreamReader.readuntil", "socket read"),
    ("/asyncio/streams.py", "StreamWriter.drain", "socket write"),
    ("/asyncio/base_events.py", "BaseEventLoop.create_connection", "socket connect"),
    ("/asyncio/selector_events.py", "BaseSelectorEventLoop.sock_connect", "socket connect"),
    ("/asyncio/selector_events.py", "BaseSelectorEventLoop.sock_recv", "socket read"),
    ("/asyncio/selector_events.py", "BaseSelectorEventLoop.sock_accept", "socket accept"),
    ("/asyncio/subprocess.py", "Process.wait", "subprocess wait"),
    ("/asyncio/subprocess.py", "Process.communicate", "subprocess wait"),
    ("/asyncio/threads.py", "to_thread", "worker thread"),
    ("/asyncio/base_events.py", "BaseEventLoop.run_in_executor", "worker thread"),
    ("/anyio/to_thread.py", "run_sync", "worker thread"),
    ("/anyio/_backends/_asyncio.py", "SocketStream.receive", "socket read"),
    ("/anyio/_backends/_asyncio.py", "connect_tcp", "socket connect"),
    ("/httpcore/_backends/anyio.py", "AnyIOStream.read", "socket read"),
    ("/httpcore/_backends/anyio.py", "AnyIOBackend.connect_tcp", "socket connect"),
)

# A user line calling straight into C has no frame below it: name the state from the callee.
_C_CALLS: Dict[str, str] = {
    "acquire": "lock acquire",
    "sleep": "sleep",
    "recv": "socket read",
    "recv_into": "socket read",
    "recvfrom": "socket read",
    "recvmsg": "socket read",
    "read": "socket read",
    "readline": "socket read",
    "readinto": "socket read",
    "connect": "socket connect",
    "create_connection": "socket connect",
    "accept": "socket accept",
    "send": "socket write",
    "sendall": "socket write",
    "waitpid": "subprocess wait",
    "wait": "subprocess wait",
    "select": "socket wait (select)",
    "poll": "socket wait (select)",
    "input": "stdin read",
}

BUSY = "busy loop"


def _rule_for(frame: FrameType) -> Optional[str]:
    filename = frame.f_code.co_filename.replace("\\", "/")
    qual = None
    for suffix, name, label in _RULES:
        if not filename.endswith(suffix):
            continue
        if name == "*":
            return label
        if qual is None:
            qual = qualname(frame.f_code)
        if qual == name:
            return label
    return None


def _instruction(frame: FrameType) -> Optional[dis.Instruction]:
    lasti = frame.f_lasti
    for ins in _instructions(frame.f_code):
        if ins.offset == lasti:
            return ins
    return None


@lru_cache(maxsize=1024)
def _instructions(code: CodeType) -> Tuple[dis.Instruction, ...]:
    return tuple(dis.get_instructions(code))


def _call_source(frame: FrameType) -> str:
    """The text of the call being made at the frame's current instruction (best effort)."""
    positions = getattr(frame.f_code, "co_positions", None)
    if positions is not None and frame.f_lasti >= 0:
        try:
            pos = list(positions())[frame.f_lasti // 2]
        except IndexError:
            pos = None
        if pos and None not in pos and pos[0] == pos[1]:
            text = linecache.getline(frame.f_code.co_filename, pos[0])
            return text[pos[2]:pos[3]]
    return linecache.getline(frame.f_code.co_filename, frame.f_lineno or 0).strip()


def _callee_names(source: str) -> List[str]:
    """Names of the calls in a line of source, outermost call first."""
    text = source.strip().replace("await ", "")  # top-level await does not parse
    tree = None
    for candidate in (text, text + "\n  pass", f"({text})"):
        try:
            tree = ast.parse(candidate)
            break
        except SyntaxError:
            continue
    if tree is None:
        return []
    names: List[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                names.append(func.attr)
            elif isinstance(func, ast.Name):
                names.append(func.id)
    return names  # ast.walk is breadth-first: the outermost call comes first


def _await_label(frame: FrameType) -> str:
    names = _callee_names(_call_source(frame))
    for name in names:
        if name in _C_CALLS:
            return _C_CALLS[name]
    return f"await {names[0]}() never completes" if names else "await never completes"


def _c_call_label(frame: FrameType) -> str:
    ins = _instruction(frame)
    opname = ins.opname if ins is not None else ""
    if "JUMP" in opname:
        return BUSY
    if "WITH" in opname:
        return "lock acquire"  # `with lock:` parks in __enter__
    names = _callee_names(_call_source(frame))
    for name in names:
        if name in _C_CALLS:
            return _C_CALLS[name]
    if names:
        return f"blocked in {names[0]}()"
    if opname and not opname.startswith("CALL") and "AWAIT" not in opname and opname != "SEND":
        return BUSY
    return "blocked"


def label_state(frames: Sequence[FrameType], moving: bool = False, suspended: bool = False) -> str:
    """State label for a stack (outermost first) parked at its innermost frame.

    `suspended` is for coroutine chains: a suspended coroutine is awaiting, never busy.
    """
    if not frames:
        return "unknown"
    user = innermost_user(frames)
    start = 0 if user is None else user + 1
    for frame in frames[start:]:
        label = _rule_for(frame)
        if label:
            return label
    if moving:
        return BUSY
    if user is not None and user == len(frames) - 1:
        return _await_label(frames[user]) if suspended else _c_call_label(frames[user])
    inner = frames[-1]
    module = os.path.splitext(os.path.basename(inner.f_code.co_filename))[0]
    return f"blocked in {module}.{qualname(inner.f_code)}"


# --- sampling threads ---


def thread_cpu(native_id: Optional[int]) -> Optional[float]:
    """CPU seconds a thread has used (Linux /proc); None elsewhere."""
    if native_id is None:
        return None
    try:
        with open(f"/proc/self/task/{native_id}/stat", "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    start = data.rfind(b")") + 2
    fields = data[start:].split()
    try:
        ticks = int(fields[11]) + int(fields[12])
    except (IndexError, ValueError):
        return None
    return ticks / _CLK_TCK


try:
    _CLK_TCK = float(os.sysconf("SC_CLK_TCK"))
except (AttributeError, ValueError, OSError):
    _CLK_TCK = 100.0


@dataclass
class ThreadSample:
    ident: int
    frames: List[FrameType] = field(default_factory=list)
    moving: bool = False  # the thread ran Python code between samples: not parked


def sample_threads(
    idents: Iterable[int], rounds: int = 4, interval: float = 0.015
) -> Dict[int, ThreadSample]:
    """Sample several threads a few times; a thread whose position or CPU time changes is busy."""
    wanted = set(idents)
    if not wanted:
        return {}
    natives = {t.ident: getattr(t, "native_id", None) for t in threading.enumerate() if t.ident in wanted}
    cpu0 = {i: thread_cpu(natives.get(i)) for i in wanted}
    t0 = time.monotonic()
    seen: Dict[int, set] = {i: set() for i in wanted}
    last: Dict[int, FrameType] = {}
    for n in range(rounds):
        current = current_frames()
        for ident in wanted:
            frame = current.get(ident)
            if frame is None:
                continue
            last[ident] = frame
            seen[ident].add((id(frame.f_code), frame.f_lasti, frame.f_lineno))
        del current
        if n + 1 < rounds:
            time.sleep(interval)
    span = max(time.monotonic() - t0, 1e-3)
    out: Dict[int, ThreadSample] = {}
    for ident in wanted:
        frame = last.get(ident)
        if frame is None:
            continue  # thread ended meanwhile
        moving = len(seen[ident]) > 1
        c0, c1 = cpu0.get(ident), thread_cpu(natives.get(ident))
        if c0 is not None and c1 is not None and (c1 - c0) / span > 0.3:
            moving = True
        out[ident] = ThreadSample(ident, thread_frames(frame), moving)
    return out


@dataclass
class Where:
    """A described stack: which handler, where it is parked, in what state."""

    handler: str
    site: Optional[Site]
    state: str
    stack: str
    has_user_code: bool
    in_harness: bool = False  # the harness's own instrumentation runs below the user line
    importing: bool = False  # the import system runs below the user line (a module loaded on first use)
    timeout: str = ""  # the parked call's own timeout, when it has one (timeouts.own_timeout)


_IMPORT_SYSTEM = "<frozen importlib"  # importlib._bootstrap and _bootstrap_external


def describe(frames: Sequence[FrameType], moving: bool = False, suspended: bool = False) -> Where:
    from .timeouts import own_timeout  # it reads frames with this module's helpers

    outer = outermost_user(frames)
    inner = innermost_user(frames)
    handler = frames[outer].f_code.co_name if outer is not None else "?"
    site = site_of(frames[inner]) if inner is not None else None
    return Where(
        handler=handler,
        site=site,
        state=label_state(frames, moving, suspended),
        stack=format_frames(frames),
        has_user_code=inner is not None,
        in_harness=inner is not None
        and any(f.f_code.co_filename.startswith(_HARNESS_DIR) for f in frames[inner + 1:]),
        importing=inner is not None
        and any(f.f_code.co_filename.startswith(_IMPORT_SYSTEM) for f in frames[inner + 1:]),
        timeout="" if moving else own_timeout(frames, inner),
    )
