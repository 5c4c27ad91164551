"""Whether work handed to a worker thread provably ends: HB205's question before it reports a
wait with no timeout for a future (``fut.result()``, ``as_completed(fs)``, ``wait(fs)``) or a thread
the function started itself (``Thread(target=fn).join()``).

The work provably ends when the function handed over (``executor.submit(fn, ...)``) and every
function it runs, up to MAX_DEPTH calls down, make no call that can wait forever and every call
they make is accounted for:

* a call of a project function or method (every override, as the reach follows it) is followed;
  an async one is not (what runs its coroutine is not known), nor a function past MAX_DEPTH;
* a call of the catalogue that takes a timeout gives one: a value, a positional one, a quiet
  argument (``get(block=False)``), or, in a wrapper, what its caller gave through the wrapper's own
  ``timeout`` parameter or ``**kwargs`` (``download_chunk`` calls ``http_request(..., timeout=10)``,
  which passes its ``**kwargs`` on to ``session.request``); httpx's clients have a default. One
  that blocks and takes no timeout at all (``os.system``) never provably ends;
* a library call outside the catalogue counts as ending: the catalogue is what the plugin knows of
  blocking calls, for this question as for every rule. A call on a value a project function
  returns (``session.get()`` where a project helper returns ``requests.Session()``), or on an
  instance of a project class deriving from a library class, is a library call by that name;
* a call the graph cannot place (``FunctionSummary.unplaced``, or a symbol that evaluates to
  nothing) is no proof when a callable of unknown kind is called (a parameter, ``registry[k]()``,
  ``getattr(m, name)()``) or when a function of the project is named like the method called
  (octoprint's ``checker.get_latest()``, ``checker`` found by ``getattr``, while the project
  defines ``get_latest`` in each version-check module). A method no project function is named
  like (``check.get()`` in a project with no ``get``) is a library method.

Callables handed to library calls as arguments (``sorted(key=f)``) are not followed; threads
the work starts on their own (``Thread(target=f)``) are not the work's: joining one is a wait of its own.
"""

from __future__ import annotations

import re
from typing import Dict, List, Optional, Set, Tuple

from ..catalog import APIS, THIRD_PARTY_HTTP, Api
from ..config import EXERCISE_GLOBS
from .graph import FnRef, Graph, _called_name
from .summary import (
    DEF, SPAWN, SUPER, SUPER_OF, THREAD, TIMEOUT_NONE, TIMEOUT_PASSED, TIMEOUT_SET, UNKNOWN_CALLABLE, Edge,
)
from .tooling import is_tooling_path
from .tree import OutOfTime

MAX_DEPTH = 8  # calls below the function handed over
_HANDED = frozenset({THREAD, SPAWN})  # work submitted to an executor, or a thread's target
MAX_FUNCTIONS = 300  # functions read for one question: past it, nothing is proved
MAX_NAMESAKES = 24  # project functions a call the graph cannot place may run, by its name
_DEF = re.compile(r"^[ \t]*(?:async[ \t]+)?def[ \t]+(\w+)", re.MULTILINE)


class Ends:
    """Answers, for one project graph, whether the work a function hands to a thread ends."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._answers: Dict[Tuple[FnRef, str], bool] = {}
        self._defining: Optional[Dict[str, List[str]]] = None  # function name -> files with such a def

    def handed_work_ends(self, fn: FnRef, work: str) -> bool:
        """Every hand-off in ``fn`` of a callable named ``work`` (its last name: ``_download`` for
        ``submit(self._download, path)``) runs project functions that provably end."""
        key = (fn, work)
        if key not in self._answers:
            try:
                self._answers[key] = self._handed_work_ends(fn, work)
            except (OutOfTime, RecursionError):
                self._answers[key] = False
        return self._answers[key]

    def _handed_work_ends(self, fn: FnRef, work: str) -> bool:
        summary = self.graph.tree.summary(fn[1])
        if summary is None or fn[2] >= len(summary.functions):
            return False
        handed = [e for e in summary.functions[fn[2]].edges if e.how in _HANDED and _called_name(e.callee) == work]
        walk = _Walk(self)
        return bool(handed) and all(walk.edge_ends(edge, fn[1], False, 0, handed=True) for edge in handed)

    def named(self, name: str) -> Optional[List[FnRef]]:
        """The functions and methods of the project (tests, examples and docs aside) named ``name``;
        None for more than MAX_NAMESAKES."""
        if self._defining is None:
            tree = self.graph.tree
            defining: Dict[str, List[str]] = {}
            for path in tree.files:
                if is_tooling_path(path, EXERCISE_GLOBS):
                    continue
                tree.check_time()
                text = tree.text(path)
                if text and "def" in text:
                    for found in set(_DEF.findall(text)):
                        defining.setdefault(found, []).append(path)
            self._defining = defining
        functions: List[FnRef] = []
        for path in self._defining.get(name, ()):
            summary = self.graph.tree.summary(path)
            if summary is not None:
                functions.extend(("f", path, fn.key) for fn in summary.facts.functions if fn.name == name)
            if len(functions) > MAX_NAMESAKES:
                return None
        return functions


class _Walk:
    """One question's walk: the functions entered (with whether their caller gave a timeout)."""

    def __init__(self, ends: Ends) -> None:
        self.ends = ends
        self.graph = ends.graph
        self.entered: Set[Tuple[FnRef, bool]] = set()

    def function_ends(self, fn: FnRef, given: bool, depth: int) -> bool:
        key = (fn, given)
        if key in self.entered:
            return True  # entered already: its calls are judged there (a recursion adds no call)
        if depth > MAX_DEPTH or len(self.entered) >= MAX_FUNCTIONS:
            return False
        self.entered.add(key)
        graph = self.graph
        graph.tree.check_time()
        facts = graph.function(fn)
        summary = graph.tree.summary(fn[1])
        if facts is None or summary is None or facts.is_async:
            return False
        own = summary.functions[fn[2]]
        for name in own.unplaced:
            if name.startswith(SUPER):
                if not self._super_ends(fn, facts.cls, name[len(SUPER):], depth):
                    return False
            elif not self._namesakes_end(name, depth):
                return False
        # a `super().name()` edge was judged above, as the base that runs it
        return all(self.edge_ends(edge, fn[1], given, depth) for edge in own.edges
                   if edge.how not in (SPAWN, DEF) and edge.callee.kind != SUPER_OF)

    def _super_ends(self, fn: FnRef, cls: Optional[int], name: str, depth: int) -> bool:
        """``super().name(...)`` in a method of class ``cls``: the first base defining ``name`` ends
        (a library base's method counts as ending)."""
        if cls is None:
            return self._namesakes_end(name, depth)
        runs = self.graph.method(("c", fn[1], cls), name, above=True)
        return all(self.function_ends(target, False, depth + 1) for target in runs)

    def edge_ends(self, edge: Edge, path: str, given: bool, depth: int, handed: bool = False) -> bool:
        """The call (or hand-off) ``edge`` of a function in ``path`` ends; ``given``: the function's
        caller gave it a timeout. ``handed``: the work itself, which must be a project function."""
        graph = self.graph
        timed = edge.timeout == TIMEOUT_SET or (given and edge.timeout == TIMEOUT_PASSED)
        objs = graph.evaluate(edge.callee, path)
        targets = [target for obj in objs for target in graph.callables(obj)]
        if targets:
            return all(self.function_ends(target, timed, depth + 1) for target in targets)
        if handed:
            return False
        if objs:
            return True  # a project class a library base builds, a container's own method
        name = graph.library_name(edge.callee, path)
        if name:
            api = APIS.get(name)
            return api is None or _bounded(name, api, edge, timed)
        return self._namesakes_end(_called_name(edge.callee), depth)

    def _namesakes_end(self, name: str, depth: int) -> bool:
        """A call the graph cannot place, of a method named ``name``: whatever project function it
        runs is named so, and every one of them ends (none: a library method). A callable of
        unknown kind (UNKNOWN_CALLABLE) may be anything."""
        if name == UNKNOWN_CALLABLE:
            return False
        namesakes = self.ends.named(name)
        return namesakes is not None and all(self.function_ends(fn, False, depth + 1) for fn in namesakes)


def _bounded(name: str, api: Api, edge: Edge, timed: bool) -> bool:
    """A catalogue call that cannot wait forever as ``edge`` makes it."""
    if api.timeout is None:
        return api.blocking is None
    if timed or edge.quiet:
        return True
    index = api.timeout.index
    if index is not None and edge.args > index:
        return True
    # httpx's clients time out after 5 s unless told not to
    return api.family == THIRD_PARTY_HTTP and name.startswith("httpx.") and edge.timeout != TIMEOUT_NONE
