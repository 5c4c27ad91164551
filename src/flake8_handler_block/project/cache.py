"""The on-disk cache of the project index, like ``.ruff_cache`` or ``.mypy_cache``.

Layout under the cache directory (default ``<root>/.handler_block_cache``)::

    CACHEDIR.TAG, .gitignore
    index-v<FORMAT>/<hash of the root>/files.json          what the text scan saw of each file
    index-v<FORMAT>/<hash of the root>/summaries/<hash>.json one module's summary
    index-v<FORMAT>/<hash of the root>/result.json           handlers and what they reach, for one
                                                             state of every file (a fingerprint)
    index-v<FORMAT>/<hash of the root>/findings/<hash>.json  one module's findings, for one state of
                                                             everything they depend on (index.findings_slot)
    index-v<FORMAT>/<hash of the root>/gate.json             the rules' gate words, for one state of the
                                                             plugin's code and the configuration

An entry is used only when the file's path, size and modification time (ns), the
cache format and the plugin's code (``identity.code_identity``: its version and every file of
the package, so an edit of a development checkout counts) all match; anything else (an older
or foreign version, a truncated or corrupt file, a file that changed) is a miss, never an error.
Writes go to a temporary file in the same directory, then ``os.replace``: ``flake8 -j N``
workers may write the same entry at once and a reader sees either version whole, so no
lock is needed to read or write. One lock (``build.lock``) only keeps workers from building
the same index side by side (``building``): the others wait and read the stored result; a
process that builds ahead in a child hands the lock to it (``try_lock``). A
file modified within the last seconds is not cached (its mtime may not change again on the
next edit: "racy" entries). A directory that cannot be written only means nothing is saved.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Any, Callable, Dict, Iterator, List, Optional, Set, Tuple

from . import codec, identity
from .summary import ModuleSummary

# Bumped when summaries change shape or meaning (2: spawn edges, 3: quiet calls, 4: requests
# timeouts, 5: module-level calls, 6: forwarded **kwargs, 7: calls given no host, 8: what unannotated
# functions return, loop variables and containers, isinstance checks, `cls`, calls' flag guards,
# 9: either branch of `a if test else b`, 11: how calls give their timeout, calls not placed,
# 13: a callable bound to a few known values, super() calls, 14: files.json says which files name
# Django's EMAIL_TIMEOUT, 15: ...and which name socket.setdefaulttimeout, 16: ...and which may build
# an HTTP client; the result names the project's clients, 17: wrappers whose timeout parameter
# defaults to none; files.json marks the files that may hold one, 18: the files that may build a
# child process are marked as those that may build a client, and the result names their factories,
# 19: a decorator names the class of the module's instance it is an attribute of: `@sio.on(...)`, 20: the
# keywords a call passes and the flag defaults of a function, 21: FastAPI's `Depends(f)` registers f, also in
# a parameter's annotation), 22: calls in the ``except RuntimeError:`` of ``asyncio.get_running_loop()``),
# 25, 27, 30-32: SDK clients (and DB-API connections) are claimed across modules, 26: a value may be one
# of up to 24 alternatives, 28: `param or Cls()` is a Cls, 29: `A | B` and `Union[A, B]` annotations
# declare one of the classes, 33: a function says whether it is a generator, a call whether its result is
# iterated where it is made; 57: a file subclassing a python-freeipa client may build a client; 59: a
# method's read of its class's property is a call; 60: a nested function only started as a thread's
# target is not reached with its parent; 61: a call handed google-auth's transport sends through it;
# 62: not when it only keeps it, an AuthorizedSession; 63: equality guards, `if mode == Mode.LOGIN:`,
# and the values calls pass and parameters default to that they test; 64: a constructor's parameter
# the module never passes is what the project's calls pass, `Skill(self)` keeps `self`; 65: files.json
# says which files may put a directory on sys.path; 66: a response's background task is an edge of its
# own (LATER); 67: a decorator's parameter is what it decorates, a `Callable` parameter what calls pass;
# 68: a class keeps the names its class-level tables spell, for `getattr(self, name)`; 69: a coroutine a
# plain function runs with `asyncio.run()` or `run_until_complete()` is off the server's loop; 70: an argparse
# command's `func=self.method` marks the method a command; 71: an instance given as a FastAPI dependency,
# `Depends(JWTBearer())`, makes its class's `__call__` a handler; 73: a local name given one call,
# `dep = make_dep(options)` then `Depends(dep)`, is registered as that call; 74: a Dash app's
# `@app.callback(...)` hints at a handler; 75: the MCP SDK's low-level server, `@server.call_tool()`
# and `Server(name, on_call_tool=f)`, registers handlers; 76: the mail hint is any Django mail setting,
# EMAIL_HOST and EMAIL_BACKEND too; 77: an annotated display is its value, `f: Alias` of `Callable`
# declares no kind, a value may stand for 48 alternatives; 78: `-> Proto` of a module's Protocol
# returns what the function returns, set-up kept in a global is not the loop's work, kubernetes'
# clients are known across modules; 79: a `None` side of a conditional adds nothing; 81: an MCP server's
# `@mcp.custom_route(...)` is recorded with its receiver; 85: `p if p is not None else Cls()` of a
# parameter `p` is what the code builds, as `p or Cls()` is; 86: a loop over a table of the module's
# functions calls each of them, FastMCP's `mcp.tool(f)` registers `f` and hints at a handler; 91: the
# connection servers' calls are registrations; 92: what each item of a returned tuple may be; 93: an
# MCP server passed as an argument is kept; 94: `raise e` of the `as e` an except clause caught
# re-raises; 107: `@tool(READ)` of a module's factory returning `server.tool(...)` is that decorator;
# 108: `if attempt < retries:` under `for attempt in range(...)` holds only for `retries` above zero;
# 109: `opener or urllib.request.urlopen` is the function the code falls back to; 110: a server's
# registration on a parameter, `mcp.add_tool(f)` in `def register(mcp)`, keeps the receiver as written;
# 111: a function that builds anew the value it returns, FunctionSummary.fresh; 112: a quick command's
# program read when a later word is not literal; 113: `to_thread(asyncio.run, coro())` runs the coroutine
# on the thread's own loop).
FORMAT = 113
DEFAULT_DIRNAME = ".handler_block_cache"
RACY_SECONDS = 2.0  # an mtime this close to now may hide a second edit
_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# flake8-handler-block project index cache\n"


@dataclass(frozen=True)
class Light:
    """What the cheap text scan says of one file, valid for its size and mtime."""

    size: int
    mtime_ns: int
    hints: bool  # may define or register a handler (handlers.HANDLER_HINTS, configured words)
    bases: Tuple[str, ...]  # last names of the bases in its class statements
    patches: bool = False  # may patch requests or a session (default_timeout.PATCH_HINT)
    forwards: bool = False  # may pass on a function's ``**kwargs`` or timeout (tree.may_forward_kwargs, ...)
    mail_settings: bool = False  # its text may name Django's mail settings (default_timeout.MAIL_SETTINGS_HINT)
    socket_default: bool = False  # its text names socket.setdefaulttimeout (default_timeout.sets_socket_default)
    builds_client: bool = False  # may build an HTTP client or a child process (catalog.CLIENT_IMPORTS, CLIENT_HINTS)
    ldap_timeout: bool = False  # its text names python-ldap's OPT_TIMEOUT (default_timeout.LDAP_TIMEOUT_HINT)
    path_entry: bool = False  # may put a directory on sys.path from its own file (root.may_put_on_path)


class Cache:
    """Reads and writes cache entries for one project root; every failure is a miss."""

    def __init__(self, directory: Optional[str], root: str) -> None:
        self.enabled = directory is not None
        self.base = directory or ""
        digest = hashlib.sha1(os.path.abspath(root).encode("utf-8", "surrogatepass")).hexdigest()[:16]
        self.directory = os.path.join(self.base, f"index-v{FORMAT}", digest) if directory else ""
        self._prepared = False
        self._made: Set[str] = set()  # directories known to exist (a write need not make them again)
        self.writes_failed = False
        # summaries kept back from the disk until ``write_held`` (``hold_summaries``)
        self._held: Optional[List[Tuple[ModuleSummary, int, int]]] = None

    # -- light facts -------------------------------------------------------------------

    def load_light(self, words: str) -> Dict[str, Light]:
        data = self._read(os.path.join(self.directory, "files.json"))
        if not isinstance(data, dict) or data.get("words") != words:
            return {}
        files = data.get("files")
        if not isinstance(files, dict):
            return {}
        found: Dict[str, Light] = {}
        for path, entry in files.items():
            try:
                size, mtime_ns, hints, bases, patches, forwards, mail_settings, socket_default, *rest = entry
                client, ldap, on_path = rest
                found[str(path)] = Light(
                    int(size), int(mtime_ns), bool(hints), tuple(str(b) for b in bases), bool(patches), bool(forwards),
                    bool(mail_settings), bool(socket_default), bool(client), bool(ldap), bool(on_path),
                )
            except (TypeError, ValueError):
                continue
        return found

    def store_light(self, words: str, light: Dict[str, Light]) -> None:
        now = time.time_ns()
        files = {
            path: [entry.size, entry.mtime_ns, int(entry.hints), list(entry.bases), int(entry.patches),
                   int(entry.forwards), int(entry.mail_settings), int(entry.socket_default), int(entry.builds_client),
                   int(entry.ldap_timeout), int(entry.path_entry)]
            for path, entry in light.items()
            if not racy(entry.mtime_ns, now)
        }
        self._write(os.path.join(self.directory, "files.json"), {"words": words, "files": files})

    # -- summaries ---------------------------------------------------------------------

    def load_summary(self, path: str, size: int, mtime_ns: int, module: str) -> Optional[ModuleSummary]:
        data = self._read(self._module_file("summaries", path))
        if not isinstance(data, dict):
            return None
        if (data.get("path"), data.get("size"), data.get("mtime_ns"), data.get("module")) != (
            path, size, mtime_ns, module
        ):
            return None
        try:
            return codec.decode(data["summary"])
        except (ValueError, KeyError):
            return None

    def has_summary(self, path: str) -> bool:
        """A summary of ``path`` is stored (for the file as it is or not: ``load_summary`` tells)."""
        return self.enabled and os.path.exists(self._module_file("summaries", path))

    def store_summary(self, summary: ModuleSummary, size: int, mtime_ns: int) -> None:
        if racy(mtime_ns, time.time_ns()):
            return
        if self._held is not None:
            self._held.append((summary, size, mtime_ns))
            return
        data = {"path": summary.path, "size": size, "mtime_ns": mtime_ns, "module": summary.module,
                "summary": codec.encode(summary)}
        self._write(self._module_file("summaries", summary.path), data)

    def hold_summaries(self) -> None:
        """Keep the summaries stored from now on in memory until ``write_held``: a build whose
        result others wait for stores the result first (the summaries only serve a later build)."""
        if self._held is None:
            self._held = []

    def write_held(self) -> None:
        held, self._held = self._held or [], None
        for summary, size, mtime_ns in held:
            self.store_summary(summary, size, mtime_ns)

    # -- the graph's result -----------------------------------------------------------

    def load_result(self, fingerprint: str) -> Any:
        return self._load_keyed("result.json", "fingerprint", fingerprint, "result")

    def store_result(self, fingerprint: str, result: Any) -> None:
        self._write(os.path.join(self.directory, "result.json"), {"fingerprint": fingerprint, "result": result})

    # -- one module's findings --------------------------------------------------------

    def load_findings(self, path: str, key: str) -> Optional[List[Tuple[int, int, str]]]:
        data = self._read(self._module_file("findings", path))
        if not isinstance(data, dict) or data.get("path") != path or data.get("key") != key:
            return None
        found = data.get("findings")
        if not isinstance(found, list):
            return None
        findings = []
        for entry in found:
            if (not isinstance(entry, list) or len(entry) != 3 or not isinstance(entry[2], str)
                    or not all(type(value) is int for value in entry[:2])):
                return None
            findings.append((entry[0], entry[1], entry[2]))
        return findings

    def store_findings(self, path: str, key: str, findings: List[Tuple[int, int, str]]) -> None:
        self._write(self._module_file("findings", path),
                    {"path": path, "key": key, "findings": [list(finding) for finding in findings]})

    # -- the gate's table ---------------------------------------------------------------

    def load_gate(self, key: str) -> Any:
        return self._load_keyed("gate.json", "key", key, "table")

    def store_gate(self, key: str, table: Any) -> None:
        self._write(os.path.join(self.directory, "gate.json"), {"key": key, "table": table})

    def _load_keyed(self, name: str, key_field: str, key: str, value_field: str) -> Any:
        """The value kept in the project-wide file ``name`` for ``key``; None when it holds another."""
        data = self._read(os.path.join(self.directory, name))
        if not isinstance(data, dict) or data.get(key_field) != key:
            return None
        return data.get(value_field)

    def _module_file(self, kind: str, path: str) -> str:
        """Where one module's kept data of ``kind`` lives (``summaries``, ``findings``)."""
        digest = hashlib.sha1(path.encode("utf-8", "surrogatepass")).hexdigest()[:24]
        return os.path.join(self.directory, kind, f"{digest}.json")

    # -- one builder at a time -----------------------------------------------------------

    @contextmanager
    def building(self, enabled: bool = True, wait: float = 20.0,
                 meanwhile: Optional[Callable[[], bool]] = None) -> Iterator[None]:
        """Hold the project's build lock (across processes) while building, so that the others
        can read what the first stores. Waits at most ``wait`` seconds, then goes ahead
        unlocked; a cache that cannot hold a lock (disabled, unwritable, no ``fcntl``) never
        blocks. A lock dies with its process. While waiting, ``meanwhile()`` is called between
        tries (a short step of work) until it says False (nothing left to do)."""
        handle = self._lock(wait, meanwhile) if enabled and self.enabled and not self.writes_failed else None
        try:
            yield
        finally:
            if handle is not None:
                handle.close()  # releases the lock

    def try_lock(self) -> Optional[IO[bytes]]:
        """The build lock if no one holds it now, else None (never waits): a handle to close, or to
        hand to a child process, which then holds the lock until it exits."""
        if not self.enabled or self.writes_failed:
            return None
        return self._lock(0.0)

    def _lock(self, wait: float, meanwhile: Optional[Callable[[], bool]] = None) -> Optional[IO[bytes]]:
        try:
            import fcntl
        except ImportError:  # Windows: workers build side by side, as without a lock
            return None
        try:
            self._prepare()
            os.makedirs(self.directory, exist_ok=True)
            handle = open(os.path.join(self.directory, "build.lock"), "ab")
        except OSError:
            return None
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                return handle
            except OSError:
                if time.monotonic() >= deadline:
                    handle.close()
                    return None
                if meanwhile is not None and meanwhile():
                    continue
                meanwhile = None  # nothing left to do: only wait
                time.sleep(0.02)

    # -- files -------------------------------------------------------------------------

    def _read(self, filename: str) -> Any:
        if not self.enabled:
            return None
        try:
            with open(filename, "rb") as handle:
                data = json.loads(handle.read())
        except (OSError, ValueError, UnicodeDecodeError, RecursionError):
            return None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return None
        if data.get("version") != identity.code_identity():
            return None
        return data.get("data")

    def _write(self, filename: str, data: Any) -> None:
        if not self.enabled or self.writes_failed:
            return
        temporary = None
        try:
            self._prepare()
            directory = os.path.dirname(filename)
            # dumps, not dump: dump streams through the pure-Python encoder, ~20x slower.
            stamped = {"format": FORMAT, "version": identity.code_identity(), "data": data}
            text = json.dumps(stamped, separators=(",", ":"))
            handle, temporary = self._temporary(directory)
            with os.fdopen(handle, "wb") as out:
                out.write(text.encode("utf-8"))
            os.replace(temporary, filename)
            temporary = None
        except (OSError, ValueError):
            self.writes_failed = True  # read-only tree, full disk: keep going without saving
        finally:
            if temporary is not None:
                try:
                    os.unlink(temporary)
                except OSError:
                    pass

    def _temporary(self, directory: str) -> Tuple[int, str]:
        """A new file of this process in ``directory`` (made if need be), open for writing: a name
        of its own (pid and a count) at the cost of one ``open``; ``mkstemp``'s random names when
        that one is taken (a file left by a process of the same pid) or the directory went away."""
        if directory not in self._made:
            os.makedirs(directory, exist_ok=True)
            self._made.add(directory)
        name = os.path.join(directory, f".tmp-{os.getpid()}-{next(_SERIAL)}.json")
        try:
            return os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600), name
        except OSError:
            os.makedirs(directory, exist_ok=True)
            return tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=directory)

    def _prepare(self) -> None:
        """Mark the directory as a cache (backup tools, git) the first time it is written."""
        if self._prepared:
            return
        os.makedirs(self.base, exist_ok=True)
        for name, text in (("CACHEDIR.TAG", _TAG), (".gitignore", "# created by flake8-handler-block\n*\n")):
            marker = os.path.join(self.base, name)
            if not os.path.exists(marker):
                with open(marker, "w", encoding="utf-8") as out:
                    out.write(text)
        self._prepared = True


_SERIAL = itertools.count()  # temporary files' numbers in this process


def racy(mtime_ns: int, now_ns: int) -> bool:
    """Modified so recently that a next edit may keep the same mtime."""
    return now_ns - mtime_ns < RACY_SECONDS * 1e9
