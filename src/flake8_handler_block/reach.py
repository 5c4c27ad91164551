"""Which functions of a module serve a request, and how each is tied to its handler.

Computed once per module after the walk, from the call edges the scope collector
recorded. An edge says *how* the callee runs (``scopes.Edge``):

* ``call``: called in place: same thread, same task;
* ``task``: started as its own asyncio task (``create_task(f())``): on the event
  loop, but a cancelled request does not cancel it;
* ``thread``: handed to a worker thread whose result the caller gets back
  (``to_thread(f)``, ``run_in_executor``, ``submit``, ``executor.map``, a lambda given
  to one of these): still the request's work, but off the event loop;
* ``spawn``: a thread of its own (``Thread(target=f)``): not the request's work
  (HB501 judges the thread itself), so reach does not follow it.

From these: ``reachable`` (every function a handler reaches), ``on_loop`` (what
runs on an async handler's event loop) and ``in_request_task`` (what runs inside
the request's own task, where its cancellation arrives). What the rest of the
project says (``project.index``: handlers registered elsewhere, chains from other
modules, tooling) completes the module's own answers.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple, Union

import libcst as cst

from .config import Config
from .handlers import find_handlers, is_taker_reason, on_fastmcp_2, runs_inline_on_loop
from .project.index import Chain, ModuleReach, chain_name, project_root
from .scopes import (
    CALL, TASK, THREAD, ClassScope, Edge, FunctionScope, ModuleScope, Scope, dotted_decorators, positional_names,
)
from .catalog import OFFLOAD_DECORATORS, READ_PROPERTY_DECORATORS, decorated_by_one_of, entered_in_place, runs_once
from .names import decorator_names
from .once import guarded_once_per_process

# Where a rule looks (its ``scope``), by what the defect it names harms:
ANYWHERE = "anywhere"  # a primitive's protocol: checked in every function
EVERYWHERE = "everywhere"  # a call that hangs or leaks whatever calls it: every function but tooling
HANDLER = "handler"  # code a handler of the project reaches
ASYNC_HANDLER = "async-handler"  # code that runs on an async handler's event loop


@dataclass(frozen=True)
class Link:
    """How a function is tied to a handler: the handler itself or reached from it."""

    handler: FunctionScope
    path: Tuple[FunctionScope, ...]  # the functions after the handler, ending with this one (none: the handler)

    @property
    def via(self) -> Optional[FunctionScope]:
        """The function reached (None when it is the handler)."""
        return self.path[-1] if self.path else None

    def where(self) -> str:
        """``handler 'x' via f() -> Client.g()``, named as the project index names a chain."""
        return Chain(self.handler.qualname, "", tuple(_shown(fn) for fn in self.path)).where()


def _shown(function: FunctionScope) -> str:
    """The function as a chain names it (``project.index.chain_name``)."""
    reads_as_property = decorated_by_one_of(decorator_names(function), READ_PROPERTY_DECORATORS)
    return chain_name(function.cls.name if function.cls is not None else None, function.name, reads_as_property)


Successors = Callable[[FunctionScope], Iterable[FunctionScope]]
Tie = Union[Link, Chain]  # a handler of this module, or one of the project (its chain across modules)


class Reach:
    """Handlers of the module and which functions each scope setting covers.

    ``project`` holds what the rest of the project says (``project.index``): handlers
    registered in another module, chains from handlers of other modules, tooling. A
    chain found inside the module is named as before (``handler 'x' via f()``); one
    that starts in another module names its handler's file and line.
    """

    def __init__(self, module: ModuleScope, config: Config, project: Optional[ModuleReach] = None) -> None:
        self.config = config
        self.project = project if config.scope != "handlers" else None
        self.handlers = {fn: on_fastmcp_2(reason, lambda: project_root(module.filename))
                         for fn, reason in find_handlers(module, config).items()}
        if project is not None:
            for function in module.functions:
                reason = project.handlers.get(function.qualname)
                if reason is None:
                    continue
                known = self.handlers.setdefault(function, reason)
                if runs_inline_on_loop(known) and not runs_inline_on_loop(reason):
                    self.handlers[function] = reason  # the project replaces its tools: not known to run inline
        self._drop_called_request_takers(module, project)
        order = {fn: i for i, fn in enumerate(module.functions)}
        ordered = sorted(self.handlers, key=order.__getitem__)
        self.contained = _links(ordered, nested)
        self.reachable = _links(ordered, lambda fn: [*nested(fn), *callees(fn, (CALL, TASK, THREAD))])
        if config.scope == "all":
            async_roots = [fn for fn in module.functions if fn.is_async]
        else:
            async_roots = [fn for fn in ordered if fn.is_async]
        # a sync handler its server calls in place runs on the loop too (not in a task of its own)
        inline = [fn for fn in ordered if self.called_inline(fn)]
        if config.scope == "handlers":
            def loop_successors(fn: FunctionScope) -> List[FunctionScope]:
                return [c for c in run_in_place(fn) if c.parent is fn]
        else:
            def loop_successors(fn: FunctionScope) -> List[FunctionScope]:
                return run_in_place(fn, project is not None)
        self.on_loop = _links([*async_roots, *inline],
                              lambda fn: [c for c in loop_successors(fn) if not _off_the_loop(c)])
        self.in_request_task = _links(
            async_roots, lambda fn: [c for c in callees(fn, (CALL,)) if c in self.on_loop and not runs_in_thread(c)]
        )

    def _drop_called_request_takers(self, module: ModuleScope, project: Optional[ModuleReach]) -> None:
        """A function that takes the request is a handler only when nothing calls it (the project
        index's answer, else this module's): one that is called is a helper of its callers."""
        takers = [fn for fn, reason in self.handlers.items() if is_taker_reason(reason)]
        if not takers:
            return
        if project is not None:
            called = {fn for fn in takers if fn.qualname not in project.handlers}
        else:
            called = {c for fn in module.functions for c in callees(fn, (CALL, TASK, THREAD)) if c is not fn}
        for fn in takers:
            if fn in called:
                del self.handlers[fn]

    def link(self, function: Optional[FunctionScope]) -> Optional[Tie]:
        """How a handler reaches ``function`` under the configured scope, if one does."""
        if function is None:
            return None
        table = self.contained if self.config.scope == "handlers" else self.reachable
        return table.get(function) or (self.project.chain(function.index_name) if self.project else None)

    def loop_link(self, function: Optional[FunctionScope]) -> Optional[Tie]:
        """How ``function`` comes to run on an async function's event loop, if it does."""
        if function is None:
            return None
        return self.on_loop.get(function) or (self.project.on_loop(function.index_name) if self.project else None)

    def runs_on_loop(self, function: Optional[FunctionScope]) -> bool:
        return self.loop_link(function) is not None

    def called_inline(self, function: Optional[FunctionScope]) -> bool:
        """A sync handler its server calls in place, on its event loop (the MCP SDK 1.x's tools)."""
        return function is not None and not function.is_async and runs_inline_on_loop(
            self.handlers.get(function, "")
        )

    def loop_serves_requests(self, function: Optional[FunctionScope]) -> bool:
        """The loop ``function`` runs on is a handler's (with scope "all" any ``async def`` roots one)."""
        return self._handler_loop(function) is not None or self.link(function) is not None

    def _handler_loop(self, function: Optional[FunctionScope]) -> Optional[Tie]:
        loop = self.loop_link(function)
        if isinstance(loop, Link) and loop.handler not in self.handlers:
            return None
        return loop

    def blocking_calls(self, function: FunctionScope) -> List[Tuple[int, str, str]]:
        """The calls of async ``function`` to sync functions of the project that block, as the
        project index found them: (line, name called, what blocks where)."""
        if self.project is None or not function.is_async:
            return []
        return self.project.blocking_calls(function.index_name)

    def in_request(self, function: FunctionScope) -> bool:
        """Whether ``function`` runs inside an async handler's own task (where its cancellation arrives)."""
        if function in self.in_request_task:
            return True
        return self.project is not None and self.project.in_request_task(function.index_name) is not None

    def cancelled_by_callers(self, function: Optional[FunctionScope]) -> bool:
        """Every caller in the project awaits async ``function`` under a deadline that cancels
        it (``asyncio.wait_for``, ``asyncio.timeout()``): an awaited call in it cannot hang a request."""
        if self.project is None or function is None or not function.is_async:
            return False
        return self.project.cancelled_by_callers(function.index_name)

    def torn_down_by_callers(self, function: Optional[FunctionScope]) -> bool:
        """Every caller in the project runs async ``function`` as teardown (in a ``finally:``, an
        ``except`` clause that re-raises, a shielded block): a cancellation it swallows is a second
        one, and the one being handled propagates once it returns."""
        if self.project is None or function is None or not function.is_async:
            return False
        return self.project.torn_down_by_callers(function.index_name)

    def handed_over_by_callers(self, function: FunctionScope) -> bool:
        """Every call of the async generator ``function`` in the project hands it on uniterated
        (``StreamingResponse(rows())``): its body is the request's last work."""
        if self.project is None or not function.is_async or not function.is_generator:
            return False
        return self.project.handed_over_by_callers(function.index_name)

    def is_tooling(self, function: Optional[FunctionScope]) -> bool:
        """Setup scripts, CLI commands, ``__main__`` code: never a request's work."""
        if self.project is None or self.config.scope == "all":
            return False
        return self.project.is_tooling(function.index_name if function is not None else None)

    def module_code_is_tooling(self, line: int) -> bool:
        """Module-level code on ``line`` runs only as a script (``if __name__ == "__main__":``)."""
        if self.project is None or self.config.scope == "all":
            return False
        return self.project.is_tooling(None, line)

    def in_scope(self, scope: str, function: Optional[FunctionScope]) -> bool:
        """Whether a finding of a rule looking at ``scope`` in ``function`` is kept."""
        if scope == ANYWHERE:
            return True
        if self.config.scope != "all" and self.project is not None and self.project.tooling_path:
            # a test suite's or an example's handlers serve no one's requests; a CLI helper the
            # app's handlers call does
            if function is None or not self.project.serves_requests(function.index_name):
                return False
        if scope == ASYNC_HANDLER:
            return self.runs_on_loop(function)
        if self.config.scope == "all":
            return True
        if scope == EVERYWHERE and self.config.scope == "default":
            return self.link(function) is not None or not self.is_tooling(function)
        return self.link(function) is not None

    def never_runs(self, scope: str, function: Optional[FunctionScope], line: int) -> bool:
        """A finding of a rule that looks at handler-reachable code, at a call of ``function`` under a
        parameter test that every way a handler enters the function rules out (``if not
        progress_handler:`` where every caller passes a callback)."""
        if scope in (ANYWHERE, EVERYWHERE) or function is None or self.project is None or self.config.scope == "all":
            return False
        return self.project.never_runs(function.index_name, line)

    def where(self, scope: str, function: Optional[FunctionScope]) -> str:
        """How the message names the place: the handler chain, or the function itself."""
        link = self.link(function)
        if scope == ASYNC_HANDLER:
            link = self._handler_loop(function) or link
        if link is not None:
            return link.where()
        return describe(function)


def describe(function: Optional[FunctionScope]) -> str:
    if function is None:
        return "module-level code"
    kind = "method" if isinstance(function.parent, ClassScope) else "function"
    return f"{kind} '{function.qualname}'"


def nested(function: FunctionScope) -> List[FunctionScope]:
    return [fn for fns in function.nested.values() for fn in fns]


def callees(function: FunctionScope, hows: Sequence[str]) -> Iterator[FunctionScope]:
    """Functions of this module that ``function`` runs through edges of the given kinds."""
    for edge in function.edges:
        if edge.how in hows:
            yield from edge_targets(function, edge)


def run_in_place(function: FunctionScope, project_reads_lambdas: bool = False) -> List[FunctionScope]:
    """Functions of this module whose body ``function`` runs on its own thread: called or made a task
    of, but not a sync generator it only makes (``StreamingResponse(rows())``: the body runs where
    the generator is iterated, a worker thread for Starlette), unless it iterates it there or it is a
    ``@contextmanager`` (entered where it is called: ``with slot(url):``), nor a call in a lambda
    its callee hands to another thread (``handed_by_callee``; ``project_reads_lambdas``: one given to
    a function of another module is left to the project index, which reads that function)."""
    found: List[FunctionScope] = []
    iterated: Optional[Set[int]] = None
    for edge in function.edges:
        if edge.how not in (CALL, TASK) or handed_by_callee(function, edge, project_reads_lambdas):
            continue
        for target in edge_targets(function, edge):
            if edge.how == CALL and target.is_generator and not target.is_async and not entered_in_place(
                    dotted_decorators(target)):
                if iterated is None:
                    iterated = function.iterated_calls()
                if edge.call not in iterated:
                    continue
            found.append(target)
    return found


def handed_by_callee(function: FunctionScope, edge: Edge, elsewhere: bool = False) -> bool:
    """A call in a lambda ``function`` passes by position to a function of this module that hands
    that parameter to another thread (``await execute(lambda: fetch(url))``, where ``async def
    execute(fn): return await anyio.to_thread.run_sync(fn)``): it runs there, not in place (the
    project index reads it so too: ``summary.IN_LAMBDA``). ``elsewhere``: so does one passed to a
    function this module does not define (the project index tells)."""
    origin = function.module.lambda_calls.get(edge.call) if edge.how == CALL else None
    callee = origin[0].func if origin is not None else None
    if origin is None or not isinstance(callee, cst.Name):
        return False
    index = origin[1]
    wrappers = function_named(function, callee.value)
    if not wrappers:
        return elsewhere
    for wrapper in wrappers:
        params = positional_names(wrapper.node)
        param = params[index] if index < len(params) else None
        if any(e.how == THREAD and e.kind == "name" and e.name == param for e in wrapper.edges):
            return True
    return False


def edge_targets(function: FunctionScope, edge: Edge) -> List[FunctionScope]:
    """The functions of this module an edge can go to (``f()``, ``self.m()``)."""
    if edge.kind == "name":
        return function_named(function, edge.name)
    owner = enclosing_class(function)
    return owner.method(edge.name) if owner is not None else []


def function_named(function: FunctionScope, name: str) -> List[FunctionScope]:
    """What a plain name called in ``function`` denotes among this module's functions."""
    scope: Optional[Scope] = function
    while scope is not None:
        if isinstance(scope, FunctionScope) and name in scope.nested:
            return scope.nested[name]
        if isinstance(scope, ModuleScope):
            return scope.defs.get(name, [])
        if name in scope.bindings and not isinstance(scope, ClassScope):
            return []  # shadowed by a variable
        scope = scope.lookup_parent
    return []


def enclosing_class(function: FunctionScope) -> Optional[ClassScope]:
    scope: Optional[Scope] = function
    while isinstance(scope, FunctionScope):
        if scope.cls is not None:
            return scope.cls
        scope = scope.parent
    return None


def runs_in_thread(function: FunctionScope) -> bool:
    """Decorated to run in a worker thread (``@sync_to_async``, ``@asyncify``, ...)."""
    return decorated_by_one_of(dotted_decorators(function), OFFLOAD_DECORATORS)


def _off_the_loop(function: FunctionScope) -> bool:
    """Called from the loop, yet not the loop's work on every request: it runs in a worker thread,
    or once per process (``catalog.runs_once``, or guarded by a global flag: ``once.py``)."""
    return runs_in_thread(function) or runs_once(
        decorator_names(function), bool(function.param_names), function.is_async
    ) or (not function.is_async and guarded_once_per_process(function.node))


def _links(roots: Sequence[FunctionScope], successors: Successors) -> Dict[FunctionScope, Link]:
    """Breadth-first from each root in order; the first handler to reach a function names it."""
    links: Dict[FunctionScope, Link] = {}
    for root in roots:
        if root in links and links[root].via is None:
            continue
        links[root] = Link(root, ())
        queue = deque([root])
        paths: Dict[FunctionScope, Tuple[FunctionScope, ...]] = {root: ()}  # the shortest way from the root
        while queue:
            current = queue.popleft()
            for nxt in successors(current):
                if nxt in paths:
                    continue
                paths[nxt] = (*paths[current], nxt)
                links.setdefault(nxt, Link(root, paths[nxt]))
                queue.append(nxt)
    return links
