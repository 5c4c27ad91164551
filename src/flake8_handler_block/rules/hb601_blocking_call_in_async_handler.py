from __future__ import annotations

from collections import Counter
from typing import Dict, List, NamedTuple, Optional, Set, Tuple

import libcst as cst

from ..calls import call_text, is_false, keyword, positional
from ..names import Inst, dotted_name
from ..rule import ASYNC_HANDLER, Rule, imported
from ..scopes import CallSite, FunctionScope, finished_future
from ..signature import Signature


class Blocking(NamedTuple):
    fix: str
    block_index: Optional[int] = None  # position of a `block`/`blocking` flag (False: does not block)
    timeout_index: Optional[int] = None  # position of a timeout (a literal 0 does not block)
    bounded_only: bool = False  # queue put(): blocks only when the queue has a maxsize


_SLEEP = "use await asyncio.sleep(...)"
_HTTP = "use an async client (httpx.AsyncClient, aiohttp) or await asyncio.to_thread(...)"
_SUBPROCESS = "use await asyncio.create_subprocess_exec(...) or await asyncio.to_thread(...)"
_SOCKET = "use await asyncio.open_connection(...)"
_SYNC = "use the asyncio primitive (asyncio.Event/Lock/Queue) or await asyncio.to_thread(...)"
_FUTURE = "await asyncio.wrap_future(...) or loop.run_in_executor(...) instead"

_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "request")
_URLLIB3_POOLS = ("PoolManager", "ProxyManager", "HTTPConnectionPool", "HTTPSConnectionPool", "connection_from_url")
_QUEUES = ("queue.Queue", "queue.LifoQueue", "queue.PriorityQueue", "multiprocessing.Queue", "multiprocessing.JoinableQueue")
_FUTURES = (
    "concurrent.futures.Future",
    "concurrent.futures.ThreadPoolExecutor.submit",
    "concurrent.futures.ProcessPoolExecutor.submit",
    "asyncio.run_coroutine_threadsafe",
)
_ASYNC_RESULTS = tuple(
    f"multiprocessing.{pool}.{method}"
    for pool in ("Pool", "pool.Pool", "pool.ThreadPool")
    for method in ("apply_async", "map_async", "starmap_async")
)

# callee (as resolved by names.callee) -> how it blocks and what to do instead
BLOCKING: Dict[str, Blocking] = {
    "time.sleep": Blocking(_SLEEP, timeout_index=0),
    **{f"requests.{verb}": Blocking(_HTTP) for verb in _VERBS},
    **{f"requests.Session.{verb}": Blocking(_HTTP) for verb in (*_VERBS, "send")},
    "urllib.request.urlopen": Blocking(_HTTP),
    "urllib.request.build_opener.open": Blocking(_HTTP),
    "urllib.request.OpenerDirector.open": Blocking(_HTTP),
    **{f"httpx.{verb}": Blocking(_HTTP) for verb in (*_VERBS, "stream")},
    **{f"httpx.Client.{verb}": Blocking(_HTTP) for verb in (*_VERBS, "stream", "send")},
    "urllib3.request": Blocking(_HTTP),
    **{
        f"urllib3.{pool}.{method}": Blocking(_HTTP)
        for pool in _URLLIB3_POOLS
        for method in ("request", "urlopen", "request_encode_url", "request_encode_body")
    },
    **{f"subprocess.{fn}": Blocking(_SUBPROCESS) for fn in ("run", "call", "check_call", "check_output")},
    "subprocess.Popen.wait": Blocking(_SUBPROCESS, timeout_index=0),
    "subprocess.Popen.communicate": Blocking(_SUBPROCESS, timeout_index=1),
    "socket.create_connection": Blocking(_SOCKET),
    "websocket.create_connection": Blocking("use an async websocket client (websockets, aiohttp)"),
    "threading.Event.wait": Blocking(_SYNC, timeout_index=0),
    "threading.Condition.wait": Blocking(_SYNC, timeout_index=0),
    "threading.Condition.wait_for": Blocking(_SYNC, timeout_index=1),
    "threading.Barrier.wait": Blocking(_SYNC, timeout_index=0),
    "threading.Thread.join": Blocking(_SYNC, timeout_index=0),
    "multiprocessing.Process.join": Blocking(_SYNC, timeout_index=0),
    **{
        f"threading.{lock}.acquire": Blocking(_SYNC, block_index=0, timeout_index=1)
        for lock in ("Lock", "RLock", "Semaphore", "BoundedSemaphore", "Condition")
    },
    **{f"{q}.get": Blocking(_SYNC, block_index=0, timeout_index=1) for q in _QUEUES},
    "queue.SimpleQueue.get": Blocking(_SYNC, block_index=0, timeout_index=1),
    **{f"{q}.put": Blocking(_SYNC, block_index=1, timeout_index=2, bounded_only=True) for q in _QUEUES},
    **{f"{future}.{method}": Blocking(_FUTURE, timeout_index=0) for future in _FUTURES for method in ("result", "exception")},
    "concurrent.futures.wait": Blocking(_FUTURE, timeout_index=1),
    "concurrent.futures.as_completed": Blocking(_FUTURE, timeout_index=1),
    **{f"{result}.get": Blocking(_FUTURE, timeout_index=0) for result in _ASYNC_RESULTS},
    **{f"{result}.wait": Blocking(_FUTURE, timeout_index=0) for result in _ASYNC_RESULTS},
}

# Calls that run a callable off the event loop: a lambda handed to them is not on the loop.
OFFLOAD_CALLS = frozenset(
    {
        "run_in_executor", "to_thread", "run_sync", "run_in_threadpool", "sync_to_async",
        "database_sync_to_async", "submit", "async_add_executor_job", "add_executor_job",
        "Thread", "start_new_thread", "asyncify", "make_async", "defer_to_thread", "deferToThread",
    }
)
# Decorators that turn a sync function into one that runs in a worker thread.
OFFLOAD_DECORATORS = frozenset(
    {"sync_to_async", "database_sync_to_async", "asyncify", "run_in_executor", "run_in_threadpool", "to_thread"}
)


def _is_zero(expr: Optional[cst.BaseExpression]) -> bool:
    return isinstance(expr, (cst.Integer, cst.Float)) and float(expr.value) == 0


def _argument(call: cst.Call, name: str, index: Optional[int]) -> Optional[cst.BaseExpression]:
    value = keyword(call, name)
    if value is None and index is not None:
        values = positional(call)
        if len(values) > index:
            value = values[index]
    return value


class OffloadTracker:
    """Calls written inside a lambda handed to ``run_in_executor``/``to_thread``/...

    Such a lambda runs in a worker thread: neither its calls nor the functions it
    calls by name are on the event loop. The engine's reach counts every call
    written in a function body, so the rule narrows it with what this records.
    """

    def __init__(self, lambda_takers: frozenset = OFFLOAD_CALLS, call_takers: frozenset = frozenset()) -> None:
        self.lambda_takers = lambda_takers  # calls whose lambda arguments run elsewhere
        self.call_takers = call_takers  # calls whose call arguments (`f(x)`) run elsewhere
        self.lambdas: Set[int] = set()
        self.depth = 0
        self.calls: Set[int] = set()  # ids of Call nodes inside offloaded lambdas
        self.edges: Dict[FunctionScope, Counter] = {}

    def visit_call(self, node: cst.Call, function: Optional[FunctionScope]) -> None:
        func = node.func
        last = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", None)
        if last in self.lambda_takers:
            for arg in node.args:
                if isinstance(arg.value, cst.Lambda):
                    self.lambdas.add(id(arg.value))
        if last in self.call_takers and function is not None and not self.depth:
            for arg in node.args:
                if isinstance(arg.value, cst.Call):
                    self._edge(arg.value, function)
        if self.depth and function is not None:
            self.calls.add(id(node))
            self._edge(node, function)

    def _edge(self, node: cst.Call, function: FunctionScope) -> None:
        """Count the call edge the scope collector made for ``node`` as offloaded."""
        func = node.func
        if isinstance(func, cst.Name):
            self.edges.setdefault(function, Counter())[("name", func.value)] += 1
        elif isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            self.edges.setdefault(function, Counter())[("self", func.attr.value)] += 1

    def visit_lambda(self, node: cst.Lambda) -> None:
        if self.depth or id(node) in self.lambdas:
            self.depth += 1

    def leave_lambda(self, node: cst.Lambda) -> None:
        if self.depth:
            self.depth -= 1

    def on_loop(self, loop: Dict[FunctionScope, object]) -> Set[FunctionScope]:
        """The engine's on-loop functions, minus those reached only through offloaded code."""
        roots = [fn for fn, link in loop.items() if getattr(link, "via", None) is None]
        seen: Set[FunctionScope] = set(roots)
        todo: List[FunctionScope] = list(roots)
        while todo:
            current = todo.pop()
            for callee in self._callees(current):
                if callee in loop and callee not in seen and not _offloaded_def(callee):
                    seen.add(callee)
                    todo.append(callee)
        return seen

    def _callees(self, function: FunctionScope) -> List[FunctionScope]:
        edges = Counter(function.edges)
        edges.subtract(self.edges.get(function, Counter()))
        found: List[FunctionScope] = []
        for (kind, name), count in edges.items():
            if count <= 0:
                continue
            if kind == "name":
                found.extend(function._function_named(name))
            else:
                owner = function._enclosing_class()
                if owner is not None:
                    found.extend(owner.method(name))
        return found


def _offloaded_def(function: FunctionScope) -> bool:
    for decorator in function.node.decorators:
        expr = decorator.decorator
        if isinstance(expr, cst.Call):
            expr = expr.func
        text = dotted_name(expr) or ""
        if text.rsplit(".", 1)[-1] in OFFLOAD_DECORATORS:
            return True
    return False


class BlockingCallInAsyncHandler(Rule):
    """What it does:
    Finds blocking calls in an `async def` handler, that is, on its event loop: in
    the handler, in the functions nested in it that it calls, and in the functions
    and methods of the same module it calls by name (`helper()`, `self.helper()`),
    sync or async, transitively. The calls are:
    - `time.sleep()`;
    - `requests.get/post/put/patch/delete/head/options/request()` and the same
      methods plus `send()` on a `requests.Session`;
    - `urllib.request.urlopen()` and `open()` on an opener from `build_opener()`;
    - the sync `httpx` functions (`httpx.get()`, ..., `httpx.stream()`) and the
      methods of an `httpx.Client` (not `httpx.AsyncClient`);
    - `urllib3.request()` and `request()`/`urlopen()` on a `PoolManager`,
      `ProxyManager` or `HTTP(S)ConnectionPool`;
    - `subprocess.run/call/check_call/check_output()`, `Popen.wait()/communicate()`;
    - `socket.create_connection()`, and `websocket.create_connection()` of the
      websocket-client package;
    - `threading` `Event.wait()`, `Condition.wait()/wait_for()`, `Barrier.wait()`,
      `Thread.join()`, `Lock/RLock/Semaphore/BoundedSemaphore/Condition.acquire()`,
      `multiprocessing.Process.join()`;
    - `get()` on a `queue.Queue/LifoQueue/PriorityQueue/SimpleQueue` or a
      `multiprocessing.Queue`, and `put()` on one of these built with a `maxsize`
      (an unbounded queue's `put()` never waits);
    - `result()`/`exception()` of a `concurrent.futures` future (from `Future()`,
      `executor.submit()`, `asyncio.run_coroutine_threadsafe()`),
      `concurrent.futures.wait()/as_completed()`, multiprocessing
      `AsyncResult.get()/wait()` (not under `if fut.done():`, where nothing waits).

    Receivers are recognised from their constructor, through imports and
    assignments (`self.lock = threading.Lock()`, `with httpx.Client() as c`,
    `s: requests.Session`); a receiver of unknown kind is not reported. A timeout
    does not make a call non-blocking (`ev.wait(5)` still stalls the loop for up to
    5 s), but a call that cannot wait is not reported: `time.sleep(0)`,
    `block=False`/`blocking=False` (or `q.get(False)`), a literal `timeout=0`.
    An awaited call is never reported.

    Not on the loop, so never reported: a function handed to
    `loop.run_in_executor()`, `asyncio.to_thread()`, `anyio.to_thread.run_sync()`,
    `starlette.concurrency.run_in_threadpool()`, `executor.submit()` or a thread
    (it is passed, not called), a lambda handed to one of these, and functions
    decorated with `@sync_to_async`/`@database_sync_to_async`/`@asyncify`. Sync
    handlers are not checked (frameworks run them in a thread pool). With
    `scope = "all"` every `async def` is treated as a handler.

    Why is this bad?
    An async server runs every request of a worker on one event loop thread. A
    blocking call stops that thread: while it waits, every other request on the
    worker (health checks included) hangs, and timeouts elsewhere fire for no reason.
    Each of these calls still gets its HB2xx finding when it also lacks a timeout.

    Example:
    ```python
    @app.get("/weather")
    async def weather(city: str):
        time.sleep(1)  # rate limit
        return requests.get(WEATHER_API, params={"q": city}, timeout=5).json()
    ```

    Use instead:
    ```python
    @app.get("/weather")
    async def weather(city: str):
        await asyncio.sleep(1)
        async with httpx.AsyncClient(timeout=5) as client:
            return (await client.get(WEATHER_API, params={"q": city})).json()
    ```

    Options:
    `scope` (`--hb-scope`): `handlers` limits the check to the handler body and the
    functions nested in it; `all` treats every `async def` as a handler.
    """

    code = "HB601"
    runtime = Signature(loop_block=True)
    name = "blocking-call-in-async-handler"
    message = "{call}() blocks the event loop: {where} stalls every other request on this worker while it waits; {fix}"
    scope = ASYNC_HANDLER
    gate = imported(
        "time", "requests", "urllib", "httpx", "urllib3", "subprocess", "socket", "threading", "queue",
        "concurrent", "multiprocessing", "websocket",
    ) + ("run_coroutine_threadsafe",)
    gate_requires = ("async",)
    calls = frozenset(name.rsplit(".", 1)[-1] for name in BLOCKING)

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self._offload = OffloadTracker()
        self._awaited: Set[int] = set()
        self._pending: List[Tuple[cst.Call, Optional[FunctionScope], str, str]] = []

    def visit_Await(self, node: cst.Await) -> None:
        self._awaited.add(id(node.expression))

    def visit_Call(self, node: cst.Call) -> None:
        self._offload.visit_call(node, self.ctx.function)

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._offload.visit_lambda(node)

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self._offload.leave_lambda(original_node)

    def check_call(self, site: CallSite) -> None:
        call = site.node
        if id(call) in self._awaited or id(call) in self._offload.calls:
            return
        reach = self.ctx.reach
        if reach is None or site.function not in reach.on_loop:
            return  # cheap exit: most calls are not on an event loop
        target = self.ctx.callee(call, site.scope)
        blocking = BLOCKING.get(target) if target is not None else None
        if blocking is None or not self._blocks(site, blocking):
            return
        self._pending.append((call, site.function, call_text(call), blocking.fix))

    def _blocks(self, site: CallSite, blocking: Blocking) -> bool:
        call = site.node
        if blocking.block_index is not None:
            flag = keyword(call, "block")
            if flag is None:
                flag = keyword(call, "blocking")
            values = positional(call)
            if flag is None and len(values) > blocking.block_index:
                flag = values[blocking.block_index]
            if is_false(flag):
                return False
        if blocking.timeout_index is not None:
            name = "secs" if blocking.fix is _SLEEP else "timeout"
            if _is_zero(_argument(call, name, blocking.timeout_index)):
                return False
        if blocking.fix is _FUTURE and finished_future(site):
            return False
        if blocking.bounded_only:
            receiver = self.ctx.resolve(call.func.value, site.scope) if isinstance(call.func, cst.Attribute) else None
            if not isinstance(receiver, Inst) or receiver.call is None:
                return False
            maxsize = _argument(receiver.call, "maxsize", 0)
            if maxsize is None or _is_zero(maxsize):
                return False
            if isinstance(maxsize, cst.UnaryOperation):  # Queue(-1): unbounded
                return False
        return True

    def finish(self) -> None:
        if not self._pending or self.ctx.reach is None:
            return
        on_loop = self._offload.on_loop(self.ctx.reach.on_loop)
        for call, function, text, fix in self._pending:
            if function in on_loop:
                self.report(call, function, call=text, fix=fix)
