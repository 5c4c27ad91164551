from __future__ import annotations

from typing import List, Optional, Set, Tuple

import libcst as cst

from ..fix.fixers import fix_timeout
from .. import catalog
from ..calls import MappingFacts, bounded_awaitable, call_text, missing_timeout, sets_deadline
from ..facts import Facts
from ..names import dotted_name, last_name
from ..reach import callees
from ..rule import imported, timeout_positions, MissingTimeoutRule
from ..scopes import CALL, STOPS, CallSite, FunctionScope, Scope, receiver_name, stopped_before
from ..signature import Signature
from ..walk import iter_nodes
from ..commands import bounds_itself, ends_at_once
from ..loops import breaks_out, own_breaks

TIMEOUT_POSITION = timeout_positions(catalog.SUBPROCESS)
# asyncio's Process.wait()/communicate(): no timeout parameter, a deadline around the await bounds them
OSLO_RUNS = catalog.last_names({callee: None for callee in TIMEOUT_POSITION if callee.startswith("oslo_concurrency.")})
AWAITED = frozenset(callee for callee, api in catalog.family(catalog.SUBPROCESS).items() if api.awaited)
DEADLINE_NAMES = frozenset(callee.rsplit(".", 1)[-1] for callee in catalog.DEADLINE_SCOPES)
WRAPPER_NAMES = frozenset(callee.rsplit(".", 1)[-1] for callee in catalog.DEADLINE_WRAPPERS)
# A Popen's output read to its end (``p.stdout.read()``): it waits for the child, and takes no timeout.
PIPE_READS = frozenset(f"{pipe}.{method}" for pipe in catalog.PROCESS_PIPES for method in catalog.PIPE_READS_TO_END)
SYNC_FIX = "pass timeout= and handle subprocess.TimeoutExpired"
# GitPython's commands that talk to a remote: `kill_after_timeout=` kills git and raises GitCommandError
GIT_WAITS = frozenset(
    callee for callee, api in catalog.family(catalog.SUBPROCESS).items()
    if api.timeout is not None and api.timeout.keyword == catalog.GIT_TIMEOUT
)
GIT_FIX = f"pass {catalog.GIT_TIMEOUT}=<seconds> and handle git.GitCommandError"
GIT_CLONE_FIX = (
    "bound git's transfer (env GIT_HTTP_LOW_SPEED_LIMIT/GIT_HTTP_LOW_SPEED_TIME, ssh -o ServerAliveInterval) "
    "or run git clone with subprocess.run(..., timeout=...)"
)
PIPE_FIX = "read it with {process}.communicate(timeout=...) and handle subprocess.TimeoutExpired"
# Before a read of its pipe, these of the process leave nothing to wait for (or are the wait themselves).
ENDED_BY = STOPS | {"communicate", "wait"}
ASYNC_FIX = (
    "await it inside async with asyncio.timeout(...) (or asyncio.wait_for(..., timeout)) and kill the child on timeout"
)


class SubprocessWithoutTimeout(MissingTimeoutRule):
    """What it does:
    Finds subprocess waits without a timeout in request handlers:
    `subprocess.run/call/check_call/check_output(...)` without `timeout=`, and
    `wait()`/`communicate()` on a `subprocess.Popen` (assigned, bound with
    `with Popen(...) as p`, or returned by a function of the project, in this module or
    another: `p = process_open(cmd)`) without a timeout; oslo.concurrency's
    `processutils.execute(*cmd)` and `trycmd(*cmd)` without `timeout=` (they wait in
    `communicate()` with none by default). Positional timeouts count
    (`p.wait(5)`, `p.communicate(data, 5)`). A call handed to a worker thread with its
    arguments is judged as the call it makes there, and reported on the hand-off:
    `await asyncio.to_thread(subprocess.run, cmd)`, `executor.submit(...)`,
    `loop.run_in_executor(None, check_output, cmd)` (which passes on no keywords: the
    timeout goes in through `functools.partial`); the request waits for it all the same,
    unless it awaits the hand-off under a deadline (`await asyncio.wait_for(
    asyncio.to_thread(proc.wait), timeout=2)`, then a kill: a terminal's exit poll).
    A call of a wrapper of the project that passes its `**kwargs` on to one of these
    (HB201's wrappers), a retry helper included when every call of it hands it the same
    function (`def retry_on_eintr(func, *args, **kw): return func(*args, **kw)` called as
    `retry_on_eintr(check_call, cmd)`), is reported where it gives no timeout, with the
    wrapper named; not when the command it is given ends at once (below).

    A `Popen`'s output read to its end, `p.stdout.read()` or `p.stderr.readlines()` with no
    argument, waits for the child to close it (to exit), and `read()` takes no timeout:
    the first such read of a process in a function is reported, with
    `p.communicate(timeout=...)` as the fix. Not when the function waited for the process,
    killed it or communicated with it before the read (nothing is left to wait for), nor
    for `read(n)` (it returns what is there) or a read after the other pipe was read to its
    end (that read was the wait), nor a read handed to a worker thread
    (`loop.run_in_executor(None, p.stdout.read)`, the way to read a pipe from async code:
    the request waits on the hand-off, under whatever deadline the code puts around it).

    For a process from `asyncio.create_subprocess_exec()`/`create_subprocess_shell()`,
    whose `wait()`/`communicate()` take no timeout, it finds `await proc.wait()` and
    `await proc.communicate()` with no deadline around them: not inside
    `async with asyncio.timeout(...)`/`timeout_at(...)` (or `async_timeout`, anyio's
    `fail_after`/`move_on_after`, trio's), not the awaitable of
    `asyncio.wait_for(..., timeout)`, and not in a coroutine that the module itself
    runs under such a deadline (`await asyncio.wait_for(run_tool(), 30)`), nor in one
    that every caller in the project awaits under one, a few awaited calls up, or that
    the framework does: JupyterHub runs a spawner's `start()` under its `start_timeout`,
    and cancels it there (not its `stop()` or `poll()`, which it awaits with none).

    GitPython runs git as a child and waits for it with no limit unless given
    `kill_after_timeout=`. Its commands that talk to a remote wait on the network, where a
    stalled ssh or https peer holds the request: `fetch`/`pull`/`push`/`ls_remote`/`clone`
    of a `git.Git` (`git.Git()`, `repo.git`) and `fetch()`/`pull()`/`push()` of a remote
    (`repo.remote(name)`, `repo.remotes.origin`, `repo.create_remote(...)`), the repository
    built in view (`git.Repo(path)`, `Repo.clone_from(...)`, `self.repo`), are reported without
    `kill_after_timeout=` (the fix: git is killed, and `GitCommandError` raised);
    `Repo.clone_from()` always (it takes no timeout: bound git's transfer instead, with
    `GIT_HTTP_LOW_SPEED_LIMIT`/`GIT_HTTP_LOW_SPEED_TIME` or ssh's `ServerAliveInterval`, or
    clone with `subprocess.run(..., timeout=...)`). Local commands (`log`, `status`,
    `commit`, a `repo.clone(path)` of the local repository) end on their own and are not.

    Not reported: `wait()` after `communicate()` on the same process in the same
    function (the child has exited: nothing waits), a `wait()` after the same
    function read the child's stdout or stderr to its end (`for line in p.stdout:`,
    `iter(p.stderr.readline, b"")`, `p.stdout.read()`, or a `while True:` loop whose one
    `break` is `if not line: break` after `line = [await] p.stdout.readline()`: the child
    closed its output, it is exiting; a hang would be in that read, not in the `wait()`), a
    `wait()`/`communicate()` written after `kill()`/`terminate()` of that process,
    directly or through a function of the module that kills what it is given
    (`_kill_tree(proc)`; it only reaps the child; a kill in a block that then returns or
    raises is not before a wait after that block, nor one that breaks out of a loop before a
    wait later in that loop), or right after
    a statement of the same block
    that sends `signal.SIGKILL`/`SIGTERM` (`os.killpg(pgid, signal.SIGKILL)`, a helper given the
    signal), and a command that only asks a program about itself
    (`subprocess.run([binary, "--version"])`, `"-V"` (`tmux -V`), `"--help"`, `"-h"`,
    `git --exec-path`, ffmpeg's `-codecs`/`-formats`: it prints and exits, reading no input
    and opening no connection; `nginx -s reload` only signals the running master and exits;
    also `p.communicate()` of a `p = Popen([ffmpeg, "-version"])` or of an awaited
    `asyncio.create_subprocess_exec("az", "--version")`, and a shell string that adds the
    words to a configured binary, `quote(binary) + " -h || true"`: `|| true` only changes
    the exit status). Other git commands are
    reported, local queries included (`git describe` waits on the repository's locks
    and filesystem like any child). So are other local tools that look quick:
    `gpg --batch` never asks, but waits on its keyring's lock while another gpg holds
    it ("waiting for lock") and on gpg-agent; `ssh-keygen -N "" -f key` asks on stdin
    whether to overwrite a key file that exists, and a server's stdin can be a pipe
    nobody writes (supervisord's). Nor a program that bounds its own run, named as the
    command's first word (in the call, or in the list the function assigned to the
    command's name): `ssh-keyscan` (gives up on a host after `-T`, 5 s by default) and
    coreutils `timeout` (kills the command after its limit), nor a program that returns
    at once whatever it is given (it reads no input, opens no connection, takes no lock
    and waits for no child): a lookup on PATH (`which node`, Windows' `where node`), a
    hand-off to the desktop (`open path`, `xdg-open path`), a signal (`kill`, `pkill`,
    `taskkill`), what the kernel already knows (`uname -rs`, `nproc`, `whoami`); also a
    program named by a variable given either of two such programs written out
    (`lookup = "where" if windows else "which"`, then `run([lookup, "xray"])`). The
    list lives in `catalog.py`, shared with HB601 and the project index.

    Why is this bad?
    A child that never exits (waiting on stdin, a lock, a network peer) keeps the
    handler waiting with it, and the client's request never completes.

    Example:
    ```python
    @app.post("/render")
    def render():
        subprocess.run(["wkhtmltopdf", src, dst], check=True)
    ```

    Use instead:
    ```python
    @app.post("/render")
    def render():
        subprocess.run(["wkhtmltopdf", src, dst], check=True, timeout=60)
    ```
    """

    code = "HB204"
    runtime = Signature(states=frozenset({"subprocess wait"}), untimed=True)
    name = "subprocess-without-timeout"
    message = "{call}() {problem}: {where} can block forever on a child that never exits; {fix}"
    gate = ('subprocess', 'Popen', 'check_output', 'check_call', 'processutils', *imported("git"))
    calls = frozenset(
        {"run", "call", "check_call", "check_output", "wait", "communicate", *OSLO_RUNS} | WRAPPER_NAMES
        | set(catalog.PIPE_READS_TO_END) | catalog.last_names(dict.fromkeys([*GIT_WAITS, catalog.GIT_CLONE_FROM]))
    )
    fixer = fix_timeout  # `flake8-handler-block fix`: see docs/fix.md
    fix_default_timeout = "30"
    timeouts = TIMEOUT_POSITION

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self._awaited: Set[int] = set()
        self._deadline_blocks: List[Tuple[cst.With, Scope, cst.Call]] = []
        self._pending: List[Tuple[CallSite, Optional[int], str]] = []  # (site, timeout index, callee)
        self._wrapped: Set[int] = set()  # ids of awaitables handed to wait_for(..., timeout)
        self._bounded_names: Set[str] = set()  # coroutine functions run under a deadline

    def visit_Await(self, node: cst.Await) -> None:
        self._awaited.add(id(node.expression))

    def visit_With(self, node: cst.With) -> None:
        for item in node.items:
            if isinstance(item.item, cst.Call) and last_name(item.item.func) in DEADLINE_NAMES:
                self._deadline_blocks.append((node, self.ctx.scope, item.item))

    def check_call(self, site: CallSite, facts: Facts) -> None:
        call = site.node
        target = self.ctx.callee(call, site.scope)
        if site.name in WRAPPER_NAMES:
            self._note_wrapper(site, target)
        elif (target in self.timeouts or target in AWAITED or target == catalog.GIT_CLONE_FROM
              or (target in PIPE_READS and not call.args)):
            self._pending.append((site, self.timeouts.get(target or ""), target or ""))

    def _note_wrapper(self, site: CallSite, target: Optional[str]) -> None:
        args = site.node.args
        if target not in catalog.DEADLINE_WRAPPERS or not args or args[0].keyword is not None:
            return
        awaitable = bounded_awaitable(site.node, target)
        if awaitable is None:
            self._awaited.add(id(args[0].value))  # wait_for(aw, None) waits as long as aw does
            return
        self._wrapped.add(id(awaitable))
        if isinstance(awaitable, cst.Call) and last_name(awaitable.func):
            self._bounded_names.add(last_name(awaitable.func) or "")

    def forwarded_at_once(self, node: cst.Call, function: FunctionScope) -> bool:
        site = CallSite(node, function, None, "")
        return ends_at_once(site) or bounds_itself(site)

    def finish(self, facts: Facts) -> None:
        self.judge_forwarded(facts)
        bounded = self._bounded_functions()
        for site, index, target in self._pending:
            receiver = receiver_name(site.node) or ""
            if stopped_before(site, facts.tree):
                continue  # after kill()/terminate()/communicate(): the wait only reaps the child
            if site.name == "wait" and receiver and _output_read_to_end(site, receiver):
                continue  # the child closed its output: it is exiting
            if site.handed_by is not None and id(site.handed_by) in self._wrapped:
                continue  # `wait_for(to_thread(p.wait), 2)`: the request waits for the hand-off under a deadline
            if target in PIPE_READS:
                self._judge_pipe_read(site, facts)
            elif target in AWAITED:
                self._judge_awaited(site, bounded, facts)
            elif target == catalog.GIT_CLONE_FROM:
                self._report(site, "has no timeout (GitPython's clone_from() takes none)", GIT_CLONE_FIX)
            elif target in GIT_WAITS:
                problem = missing_timeout(site.node, None, facts[MappingFacts], keyword=catalog.GIT_TIMEOUT)
                if problem:
                    self._report(site, problem, GIT_FIX)
            elif not ends_at_once(site) and not bounds_itself(site):
                problem = missing_timeout(site.node, index, facts[MappingFacts])
                if problem:
                    self._report(site, problem, SYNC_FIX)

    def _judge_pipe_read(self, site: CallSite, facts: Facts) -> None:
        """``p.stdout.read()``: the first read of the process's output to its end waits for the child,
        unless the process was waited for, killed or communicated with before it."""
        if site.handed_by is not None:
            return  # `run_in_executor(None, p.stdout.read)`: off the loop, on purpose; no timeout to pass on
        process = (receiver_name(site.node) or "").rpartition(".")[0]  # `p` of `p.stdout.read()`
        if not process or stopped_before(site, facts.tree, process, ENDED_BY):
            return
        if _output_read_to_end(site, process):
            return  # a read of the other pipe came first: it was the wait, and the child is exiting
        self._report(site, "reads the child's output to its end with no timeout", PIPE_FIX.format(process=process))

    def _judge_awaited(self, site: CallSite, bounded: Set[FunctionScope], facts: Facts) -> None:
        call = site.node
        if id(call) not in self._awaited or id(call) in self._wrapped:
            return  # a coroutine handed on (gather, a task, wait_for): its deadline is elsewhere
        if site.function in bounded or self._under_deadline(site) or facts.reach.cancelled_by_callers(site.function):
            return
        if ends_at_once(site) or bounds_itself(site):
            return  # `create_subprocess_exec("az", "--version")`: prints and exits
        self._report(site, "is awaited with no deadline", ASYNC_FIX)

    def _under_deadline(self, site: CallSite) -> bool:
        blocks = {id(block.node) for block in site.block.chain() if block.kind == "with"} if site.block else set()
        for node, scope, call in self._deadline_blocks:
            if id(node) in blocks and self._is_deadline(call, scope):
                return True
        return False

    def _is_deadline(self, call: cst.Call, scope: Scope) -> bool:
        return sets_deadline(call, self.ctx.callee(call, scope))

    def _bounded_functions(self) -> Set[FunctionScope]:
        """Functions run under a deadline by their caller, and everything they call in place."""
        module = self.ctx.module
        found = [fn for fn in module.functions if fn.name in self._bounded_names]
        for node, scope, call in self._deadline_blocks:
            if self._is_deadline(call, scope):
                names = _called_names(node.body)
                found.extend(fn for fn in module.functions if fn.name in names)
        seen: Set[FunctionScope] = set()
        while found:
            fn = found.pop()
            if fn not in seen:
                seen.add(fn)
                found.extend(callees(fn, (CALL,)))
        return seen

    def _report(self, site: CallSite, problem: str, fix: str) -> None:
        self.report(site.node, site.function, call=call_text(site.node), problem=problem, fix=fix)


def _output_read_to_end(site: CallSite, process: str) -> bool:
    """Before ``site`` (a ``wait()`` on ``process``), the same function read ``process.stdout`` (or
    ``process.stderr``) to its end: ``for line in p.stdout:``, ``iter(p.stderr.readline, b"")``,
    ``p.stdout.read()`` or ``readlines()`` (awaited or not), or a ``while`` loop that reads a line
    and stops only when it is empty."""
    function = site.function
    if function is None:
        return False
    streams = {f"{process}.stdout", f"{process}.stderr"}
    for node in iter_nodes(function.node.body, prune=(cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        if node is site.node:
            return False  # only what comes before the wait counts
        if (isinstance(node, cst.For) and _drains(node.iter, streams) and not breaks_out(node)) or (
                isinstance(node, cst.While) and _reads_lines_to_end(node, streams)):
            if not any(inner is site.node for inner in iter_nodes(node.body)):
                return True
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and not node.args:
            if node.func.attr.value in ("read", "readlines") and dotted_name(node.func.value) in streams:
                return True
    return False


def _reads_lines_to_end(loop: cst.While, streams: Set[str]) -> bool:
    """``while True: line = [await] p.stdout.readline() ... if not line: break``, the loop's one
    way out (a deadline around the read, ``wait_for(p.stdout.readline(), 600)``, raises instead)."""
    if not isinstance(loop.test, cst.Name) or loop.test.value != "True" or not isinstance(loop.body, cst.IndentedBlock):
        return False
    read: Set[str] = set()
    ends_at_eof = False
    for statement in loop.body.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if (isinstance(small, cst.Assign) and len(small.targets) == 1
                        and isinstance(small.targets[0].target, cst.Name) and _reads_a_line(small.value, streams)):
                    read.add(small.targets[0].target.value)
        elif isinstance(statement, cst.If) and _breaks_when_empty(statement, read):
            ends_at_eof = True
    return ends_at_eof and len(list(own_breaks(loop))) == 1


def _reads_a_line(value: cst.BaseExpression, streams: Set[str]) -> bool:
    readers = {f"{stream}.readline" for stream in streams}
    return any(isinstance(node, cst.Call) and dotted_name(node.func) in readers for node in iter_nodes(value))


def _breaks_when_empty(statement: cst.If, names: Set[str]) -> bool:
    """``if not line: break`` on a name read from the stream."""
    test, body = statement.test, statement.body
    return (isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not)
            and isinstance(test.expression, cst.Name) and test.expression.value in names
            and statement.orelse is None and isinstance(body, cst.IndentedBlock) and len(body.body) == 1
            and isinstance(body.body[0], cst.SimpleStatementLine)
            and all(isinstance(small, cst.Break) for small in body.body[0].body))


def _drains(expr: cst.BaseExpression, streams: Set[str]) -> bool:
    """``p.stdout`` itself, or ``iter(p.stdout.readline, <empty>)``: iterating it ends at EOF."""
    if dotted_name(expr) in streams:
        return True
    if isinstance(expr, cst.Call) and dotted_name(expr.func) == "iter" and len(expr.args) == 2:
        reader = dotted_name(expr.args[0].value) or ""
        return reader.endswith(".readline") and reader[: -len(".readline")] in streams
    return False


def _called_names(body: cst.BaseSuite) -> Set[str]:
    """Last names of the calls made in a block (``run_tool`` for ``await self.run_tool()``)."""
    calls = (node for node in iter_nodes(body) if isinstance(node, cst.Call))
    return {name for name in (last_name(call.func) for call in calls) if name is not None}
