"""Who calls a function, read on demand: is it run by tooling only?

The rules that look "everywhere but tooling" (HB201, HB202, ...) leave alone what only a CLI
runs. The tooling globs and the command markers (click/typer commands, argparse ``func=``,
``if __name__ == "__main__":``) name the entry points; this module answers for the functions
below them. A function is tooling-only when it has callers in the project and every one of them
is tooling: a command (console scripts too), a function of a tooling file, code under the
``__main__`` guard, or a function that is itself tooling-only (up to MAX_UP calls up). Only
calls count: a thread or task a command starts is long-running work (a server's workers).
Tests, examples and docs are not callers here: they exercise everything, so a library
function called only by its tests is not tooling (its real callers may be out of sight).

References count with the calls (references.py): a function named in a table inside tooling
code (``commands = {"sync": sync}``, then ``commands[name](...)``) is called from there; named
anywhere else, or handed to another call (a callback: ``bus.subscribe(on_save)``,
``task.delay()``), it may run anywhere, and is not tooling. A reference that cannot be
resolved is taken to be the function.

A method is also tooling-only when its class is a command's alone: every instance of the
class (or of a subclass) is made by tooling code (``Client(url)`` in a CLI module, a class
named in a command's table, a subclass defined in a tooling file: Django's ``TemplateCommand``,
which only ``management/commands/startapp.py`` and ``startproject.py`` derive from), no class
method of it nor a class attribute from outside the project (``Feed.objects``, a factory) is
used elsewhere, no handler reaches a method of it, and
none of its methods is handed on from its own code
(``Thread(target=self.poll)``, ``bus.subscribe(self.on_event)``): such a class runs on after
the command's call (a server a CLI starts), and its methods are looked at as usual.

Asked only for a finding outside every handler's reach, so it may read more than the index:
the files whose text holds the function's name are the candidate callers (read once, on the
first question). A common name (more than MAX_CANDIDATE_FILES files), a reference that cannot
be placed, or a question past its budget is "not known", and so not tooling: the finding stays.

The budget of a question is counted in modules read (MAX_STEPS), not in time, and an answer
kept from an earlier question counts the modules it read: so each answer is the same whatever
was asked before it, in whichever ``flake8 -j`` process, on a loaded machine or an idle one.
Only a safety net is counted in CPU time (BUDGET_SECONDS for all the questions of a process).
"""

from __future__ import annotations

import re
from typing import Callable, Dict, List, Optional, Set, Tuple

from ..config import EXERCISE_GLOBS
from ..handlers import method_kind
from .graph import FnRef, Graph, Obj
from .references import Reference, references
from .summary import CALL, DEF, POSITIONAL, TASK, Edge, ModuleSummary, Sym, passed_value
from .tooling import is_tooling_path
from .tree import OutOfTime, budget_clock

MAX_CANDIDATE_FILES = 80
MAX_UP = 4
# Modules one question may read (a candidate caller's summary, a class's own module), counting
# those read for the answers it reuses: the limit that decides, the same in every run.
MAX_STEPS = 1000
# A safety net only, for all the questions of one process, in the CPU time it spends on them
# (``tree.budget_clock``, the index's clock: what other processes do to the machine does not use it up).
BUDGET_SECONDS = 10.0
REF = "ref"  # a caller that names the function without calling it (a table entry)
HANDED = "handed"  # a caller that hands it to another call (a callback: it may run later, anywhere)
Kept = Tuple[bool, int]  # an answer kept, with the steps it took (a later question reusing it counts them)

# (path, function key or None for module-level code, line, how: CALL, REF, HANDED, THREAD, SPAWN or TASK)
Caller = Tuple[str, Optional[int], int, str]


def _under_deadline(edge: Edge) -> bool:
    return edge.deadline and edge.how in (CALL, TASK)


def _in_teardown(edge: Edge) -> bool:
    return edge.teardown and edge.how == CALL


class Callers:
    def __init__(self, graph: Graph, is_entry: Callable[[FnRef], bool],
                 is_tooling_code: Callable[[str, int], bool], reached: Callable[[FnRef], bool],
                 is_handler: Callable[[FnRef], bool] = lambda fn: False,
                 is_main_called: Callable[[FnRef], bool] = lambda fn: False) -> None:
        """``is_entry``: a command or a function of a tooling file; ``is_tooling_code(path, line)``:
        module-level code that only runs as tooling; ``reached``: a handler reaches the function;
        ``is_handler``: the framework calls the function itself; ``is_main_called``: the
        ``__main__`` guard calls it (tooling unless some other caller is not)."""
        self.graph = graph
        self.is_entry = is_entry
        self.is_tooling_code = is_tooling_code
        self.reached = reached
        self.is_handler = is_handler
        self.is_main_called = is_main_called
        self._texts: Optional[Dict[str, str]] = None
        self._references: Dict[str, Dict[str, List[Reference]]] = {}
        self._candidates_of: Dict[str, Optional[List[str]]] = {}
        self._memo: Dict[FnRef, Kept] = {}
        self._cancelled: Dict[FnRef, Kept] = {}
        self._torn_down: Dict[FnRef, Kept] = {}
        self._classes: Dict[Obj, Kept] = {}
        self._steps = 0
        self._spent = 0.0
        self._deadline = 0.0

    def tooling_only(self, fn: FnRef) -> bool:
        # what the __main__ guard calls stays tooling when its other callers cannot be read in time
        return self._within_budget(lambda: self._tooling_only(fn, 0, set()), self.is_main_called(fn))

    def cancelled_by_callers(self, fn: FnRef) -> bool:
        """Every run of async ``fn`` is cancelled by a caller's deadline: each call of it in the
        project is awaited under one (``asyncio.wait_for``, ``async with asyncio.timeout()``, a
        task awaited so: summary.Edge.deadline), or is awaited by an async function of which
        the same holds, up to MAX_UP calls up. A handler (the framework awaits it under no
        deadline of the project's, unless it is one the framework bounds itself: a JupyterHub
        spawner's ``start()``, handlers.FRAMEWORK_DEADLINES), a module-level call, a thread, an unawaited task or a
        reference (a callback may run anywhere) breaks it; so does a question not answered."""
        return self._within_budget(lambda: self._every_call(
            fn, _under_deadline, self._cancelled, 0, set(), self.graph.under_framework_deadline
        ))

    def torn_down_by_callers(self, fn: FnRef) -> bool:
        """Every run of async ``fn`` is teardown: each call of it in the project stands in a
        ``finally:``, an ``except`` clause that re-raises, or a block shielded from cancellation
        (summary.Edge.teardown), or is awaited by an async function of which the same holds, up
        to MAX_UP calls up; what breaks ``cancelled_by_callers`` breaks it too."""
        return self._within_budget(lambda: self._every_call(fn, _in_teardown, self._torn_down, 0, set()))

    def handed_over_by_callers(self, fn: FnRef) -> bool:
        """Every call of the async generator ``fn`` in the project makes it and hands it on
        without iterating it (``StreamingResponse(stream_rows(q))``): the framework runs its body,
        and once it ends nothing of the project's waits on it; no reference to it either."""
        def holds() -> bool:
            edges = self.call_edges(fn) or []
            return bool(edges) and all(edge.how == CALL and not edge.iterated for _p, _k, edge in edges) and (
                self.uses(fn) == [])

        return self._within_budget(holds)

    def _within_budget(self, question: Callable[[], bool], late: bool = False) -> bool:
        """The answer to ``question``, or ``late`` when its budget runs out first: MAX_STEPS modules
        read (what decides), or what is left of the process's CPU safety net."""
        start = budget_clock()
        self._deadline = start + max(0.0, BUDGET_SECONDS - self._spent)
        self._steps = 0
        try:
            return question()
        except OutOfTime:  # this question's budget, or the tree's (a summary read past the build's deadline)
            return late
        finally:
            self._spent += budget_clock() - start

    def _every_call(self, fn: FnRef, holds: Callable[[Edge], bool], memo: Dict[FnRef, Kept],
                    depth: int, visiting: Set[FnRef],
                    framework_holds: Callable[[FnRef], bool] = lambda fn: False) -> bool:
        """Every call of async ``fn`` in the project is an edge that ``holds``, or an in-place call
        from a function of which the same holds (up to MAX_UP calls up); no reference to it. The
        framework calls a handler: ``framework_holds`` says whether the same holds of its call
        (and then of the project's calls of it too)."""
        if fn in memo:
            return self._reuse(memo[fn])
        facts = self.graph.function(fn)
        if facts is None or not facts.is_async or depth >= MAX_UP or fn in visiting:
            return False
        framework = self.is_handler(fn)
        if framework and not framework_holds(fn):
            return False
        visiting.add(fn)
        before = self._steps
        edges = self.call_edges(fn)
        answer = (bool(edges) or framework) and all(
            holds(edge)
            or (edge.how == CALL and key is not None
                and self._every_call(("f", path, key), holds, memo, depth + 1, visiting, framework_holds))
            for path, key, edge in edges or ()
        ) and self.uses(fn) == []
        visiting.discard(fn)
        memo[fn] = (answer, self._steps - before)
        return answer

    def _tooling_only(self, fn: FnRef, depth: int, visiting: Set[FnRef]) -> bool:
        if fn in self._memo:
            return self._reuse(self._memo[fn])
        if self.reached(fn):
            return False
        if self.is_entry(fn):
            return True
        main = self.is_main_called(fn)  # what the __main__ guard calls is tooling when nothing says otherwise
        if depth >= MAX_UP or fn in visiting:
            return main
        visiting.add(fn)
        before = self._steps
        # a method's class first: one answer for all its methods, and their callers are rarely resolved
        answer = self._method_of_tooling_class(fn, depth, visiting) or self._called_by_tooling(
            fn, depth, visiting, unknown=main
        )
        visiting.discard(fn)
        self._memo[fn] = (answer, self._steps - before)
        return answer

    def _called_by_tooling(self, fn: FnRef, depth: int, visiting: Set[FnRef], unknown: bool = False) -> bool:
        """Every call and reference of ``fn`` is tooling's; ``unknown`` when they cannot be known."""
        callers = self.callers(fn)
        if callers is None:
            return unknown
        if not all(self._caller_is_tooling(c, depth, visiting) for c in callers):
            return False
        uses = self.uses(fn, sure=unknown)  # read only when every call is tooling's
        if uses is None:
            return unknown
        return bool(callers or uses) and all(
            self._caller_is_tooling(u, depth, visiting) for u in uses
        )

    def _caller_is_tooling(self, caller: Caller, depth: int, visiting: Set[FnRef]) -> bool:
        path, key, line, how = caller
        if how not in (CALL, REF):
            # A thread or task a command starts is long-running work (a server's workers), not
            # the command's own: a stall there is no CLI's business. A callback it hands on may
            # run there too.
            return False
        if key is None:
            return self.is_tooling_code(path, line)
        return self._tooling_only(("f", path, key), depth + 1, visiting)

    # -- calls and references --------------------------------------------------------------

    def callers(self, fn: FnRef) -> Optional[List[Caller]]:
        """Every call (or hand-off) of ``fn`` in the project but those of tests, examples and docs
        (they call everything, whoever else does); None when that cannot be known."""
        edges = self.call_edges(fn)
        return None if edges is None else [(path, key, edge.line, edge.how) for path, key, edge in edges]

    def arguments(self, fn: Obj, param: str, files: int = MAX_CANDIDATE_FILES,
                  first: Callable[[str], bool] = lambda path: False) -> Optional[List[Tuple[str, Sym]]]:
        """What each call of ``fn`` (a function, or a dataclass-style class: ``param`` a field) in the
        project passes for its parameter ``param``, with the module that writes it, as the
        summaries record a value that may be a callable or a client
        (``Edge.flags``: "?@N:" by position, "?name:" by keyword). None when a call shows no such
        value (another value, ``*args``/``**kwargs``, the argument left out), when ``fn`` is named
        anywhere without being called or in more than ``files`` files, or when that cannot be known
        within the budget. The files for which ``first`` holds are read first (those read already:
        a call there that shows no value spares reading the others)."""
        if fn[0] == "c":  # a dataclass-style class: its fields are its constructor's parameters
            positional = list(self.graph.init_fields(fn))
            hits: Callable[[List[Obj]], bool] = lambda objs: fn in objs  # noqa: E731
        else:
            positional = self.graph._positional_params(fn)
            hits = self._hits(fn)
        places = [param, *([f"{POSITIONAL}{positional.index(param)}"] if param in positional else [])]
        found: List[Tuple[str, Sym]] = []

        name = self.called_as(fn)

        def every_call_shows_it() -> bool:
            candidates = self._candidates(name)
            if candidates is None or len(candidates) > files:
                return False
            for path in sorted(candidates, key=lambda path: not first(path)):
                self._step()
                summary = self.graph.tree.summary(path)
                for _path, _key, edge in self._edges_in(summary, hits, name) if summary is not None else ():
                    values = [passed_value(edge.flags, place) for place in places] if edge.how == CALL else []
                    sym = next((value for value in values if value is not None), None)
                    if sym is None:
                        return False
                    found.append((path, sym))
            return bool(found) and self.uses(fn) == []

        return found if self._within_budget(every_call_shows_it) else None

    def call_edges(self, fn: FnRef) -> Optional[List[Tuple[str, Optional[int], Edge]]]:
        """The calls of ``fn`` as ``callers`` finds them, with their edges: (path, function key
        or None, edge)."""
        summaries = self._summaries_naming(self.called_as(fn))
        if summaries is None:
            return None
        hits, name = self._hits(fn), self.called_as(fn)
        return [found for _path, summary in summaries for found in self._edges_in(summary, hits, name)]

    def _hits(self, fn: FnRef) -> Callable[[List[Obj]], bool]:
        """Whether a call's callee, as the graph evaluates it, may run ``fn``."""
        return lambda objs: any(fn in self.graph.callables(o) for o in objs)

    def _summaries_naming(self, name: str) -> Optional[List[Tuple[str, ModuleSummary]]]:
        """The summaries of the files whose text names ``name`` (tests, examples and docs
        aside); None when they cannot all be read."""
        candidates = self._candidates(name)
        if candidates is None:
            return None
        found: List[Tuple[str, ModuleSummary]] = []
        for path in candidates:
            self._step()
            summary = self.graph.tree.summary(path)
            if summary is not None:
                found.append((path, summary))
        return found

    def uses(self, fn: Obj, sure: bool = False) -> Optional[List[Caller]]:
        """Where ``fn`` is named without being called (outside tests, examples and docs), as
        callers of kind REF; None when that cannot be known. ``sure``: only the references known
        to be ``fn`` in other modules (not every unplaced ``main``)."""
        name = self.called_as(fn)
        candidates = self._candidates(name)
        if candidates is None:
            return None
        if fn[0] == "c":  # a class: what makes an instance of it
            cls: Optional[Obj] = fn
        else:
            facts = self.graph.function(fn)
            constructor = facts is not None and facts.name == "__init__" and facts.cls is not None
            cls = ("c", fn[1], facts.cls) if constructor else None  # type: ignore[union-attr]
        found: List[Caller] = []
        for path in candidates:
            self._step()
            summary = self.graph.tree.summary(path)
            if summary is None:
                continue
            for ref in self._refs(summary, name):
                if cls is not None and ref.owner and self._defines(cls, ref.owner):
                    continue  # ``Client.attr``: the class's attribute, no instance made (a constructor's question)
                objs = self._denotes(ref, summary)
                if objs is None and sure and path != fn[1]:
                    continue
                if objs is None or any(o == fn or fn in self.graph.callables(o) for o in objs):
                    found.append((path, ref.function, ref.line, HANDED if ref.handed else REF))
        return found

    def _calls_in(self, summary: ModuleSummary, hits: Callable[[List[Obj]], bool], name: str) -> List[Caller]:
        return [(path, key, e.line, e.how) for path, key, e in self._edges_in(summary, hits, name)]

    def _edges_in(self, summary: ModuleSummary, hits: Callable[[List[Obj]], bool],
                  name: str) -> List[Tuple[str, Optional[int], Edge]]:
        """The calls and hand-offs of ``summary`` whose callee ``hits``, for a function or class named
        ``name`` (what its calls write: ``called_as``)."""
        found: List[Tuple[str, Optional[int], Edge]] = []
        path = summary.path
        for key, function in enumerate(summary.functions):
            found.extend((path, key, e) for e in function.edges if self._reaches(e, path, hits, name))
        found.extend((path, None, e) for e in summary.module_edges if self._reaches(e, path, hits, name))
        return found

    def _reaches(self, edge: Edge, path: str, hits: Callable[[List[Obj]], bool], name: str) -> bool:
        if edge.how == DEF:
            return False  # defining a nested function does not run it
        if not _may_name(edge.callee, name):
            return False
        self._check_time()  # a module of many calls, each evaluated: the budget holds here too
        return hits(self.graph.evaluate(edge.callee, path))

    def _denotes(self, ref: Reference, summary: ModuleSummary) -> Optional[List[Obj]]:
        """What a reference stands for: [] for something outside the project, None when unknown."""
        if not ref.dotted:
            return None
        root, _, rest = ref.dotted.partition(".")
        if ref.self_name and root == ref.self_name and ref.cls is not None:
            sym = Sym("self", str(ref.cls), tuple(rest.split(".")) if rest else ())
            return self.graph.evaluate(sym, summary.path) or None
        bound = summary.name(root)
        if bound is not None and bound.dotted and not self.graph.resolve(bound.dotted):
            return []  # an import of another package: not the project's function
        return self.graph.resolve(f"{summary.module}.{ref.dotted}") or None

    # -- classes made by tooling only ---------------------------------------------------------

    def _method_of_tooling_class(self, fn: FnRef, depth: int, visiting: Set[FnRef]) -> bool:
        facts = self.graph.function(fn)
        if facts is None or facts.cls is None or method_kind(facts) != "method":
            return False
        cls = ("c", fn[1], facts.cls)
        known = self._classes.get(cls)
        if known is not None:
            return self._reuse(known)
        self._classes[cls] = (False, 0)  # made in its own methods' callers: not known while asked
        before = self._steps
        try:
            answer = self._made_by_tooling(cls, depth, visiting)
        except OutOfTime:
            del self._classes[cls]  # not "no": not known, and asked again by the next question
            raise
        self._classes[cls] = (answer, self._steps - before)
        return answer

    def _made_by_tooling(self, cls: Obj, depth: int, visiting: Set[FnRef]) -> bool:
        family = [cls, *(c for c in self.graph.subclasses(cls) if not is_tooling_path(c[1], EXERCISE_GLOBS))]
        for each in [*self.graph.mro(cls), *family]:
            if self._runs_on_its_own(each, depth, visiting):
                return False
        makers: List[Caller] = []
        for each in family:
            made = self._constructions(each)
            if made is None:
                return False
            makers.extend(made)
        if makers:
            return all(self._caller_is_tooling(m, depth, visiting) for m in makers)
        # None made in sight: a class of a tooling file is made there all the same (a framework
        # loads a management command's ``Command`` by its module's name). A base whose every
        # class below is such a class, or a base of them, is a command's too; a class elsewhere
        # with none below it is made somewhere out of sight.
        return any(self._defined_in_tooling(each) for each in family) and all(
            self._defined_in_tooling(each) or self.graph.subclasses(each) for each in family
        )

    def _defined_in_tooling(self, cls: Obj) -> bool:
        summary = self.graph.tree.summary(cls[1])
        return summary is not None and self.is_tooling_code(cls[1], summary.facts.classes[cls[2]].line)

    def _runs_on_its_own(self, cls: Obj, depth: int, visiting: Set[FnRef]) -> bool:
        """A handler reaches a method of ``cls``, its code hands a method of its instance on, or
        a class method (an instance made there) is not tooling-only."""
        self._step()
        summary = self.graph.tree.summary(cls[1])
        if summary is None or cls[2] >= len(summary.facts.classes):
            return True
        for _name, keys in summary.facts.classes[cls[2]].methods:
            for key in keys:
                method: FnRef = ("f", cls[1], key)
                if self.reached(method):
                    return True
                if any(e.how not in (CALL, DEF) and e.callee.kind == "self" for e in summary.functions[key].edges):
                    return True  # ``create_task(self.run())``
                kind = method_kind(summary.facts.functions[key])
                if kind == "classmethod" and not self._tooling_only(method, depth + 1, visiting):
                    return True
        for name in {name for name, _ in summary.facts.classes[cls[2]].methods}:
            for ref in self._refs(summary, name):
                if ref.cls == cls[2] and not ref.owner and ref.dotted == f"{ref.self_name}.{ref.name}":
                    return True  # ``Thread(target=self.poll)``, ``signal.connect(self.on_save)``
        return False

    def _constructions(self, cls: Obj) -> Optional[List[Caller]]:
        """Calls of ``cls`` and references to it passed on whole; None when not known."""
        summary = self.graph.tree.summary(cls[1])
        if summary is None:
            return None
        name = summary.facts.classes[cls[2]].name
        summaries = self._summaries_naming(name)
        if summaries is None:
            return None
        found: List[Caller] = []
        for path, other in summaries:
            found.extend(self._calls_in(other, lambda objs: cls in objs, name))
            for ref in self._refs(other, name):
                if ref.owner and self._defines(cls, ref.owner):
                    continue  # ``Client.attr``, ``Client.from_url()``: class methods are asked on their own
                objs = self._denotes(ref, other)
                if objs is None or cls in objs:
                    found.append((path, ref.function, ref.line, HANDED if ref.handed else REF))
        return found

    def _defines(self, cls: Obj, member: str) -> bool:
        """The project defines ``cls.member`` (a method or a class attribute): reading it makes no
        instance but through a class method. Else it comes from a base outside the project, and
        may be a factory (``Feed.objects.get()``, ``Model.parse_obj()``)."""
        if member.startswith("__") and member.endswith("__") and member not in ("__new__", "__call__"):
            return True  # ``Client.__name__``
        if self.graph.method(cls, member):
            return True
        for base in self.graph.mro(cls):
            summary = self.graph.tree.summary(base[1])
            if summary is not None and any(attr == member for attr, _ in summary.classes[base[2]].attrs):
                return True
        return False

    # -- reading ------------------------------------------------------------------------------

    def _candidates(self, name: str) -> Optional[List[str]]:
        """The files that may name ``name``, but tests, examples and docs; None for a common name."""
        if not name:
            return None
        if name not in self._candidates_of:
            candidates = [
                path for path, text in self._all_texts().items()
                if name in text and not is_tooling_path(path, EXERCISE_GLOBS)
            ]
            self._candidates_of[name] = candidates if len(candidates) <= MAX_CANDIDATE_FILES else None
        return self._candidates_of[name]

    def _refs(self, summary: ModuleSummary, name: str) -> List[Reference]:
        """The references to ``name`` in a module (parsed only when its text may hold one: the
        name not followed by an opening parenthesis)."""
        text = self._all_texts().get(summary.path, "")
        if summary.path not in self._references and not _may_reference(text, name):
            return []
        return self._parsed(summary, text).get(name, [])

    def _parsed(self, summary: ModuleSummary, text: str) -> Dict[str, List[Reference]]:
        known = self._references.get(summary.path)
        if known is None:
            self._check_time()
            functions = {(f.line, f.name): f.key for f in summary.facts.functions}
            classes = {(c.line, c.name): c.key for c in summary.facts.classes}
            known = references(text, functions, classes)
            self._references[summary.path] = known
        return known

    def called_as(self, fn: Obj) -> str:
        """The name a call of ``fn`` writes: its own, or its class's for an ``__init__`` (or a class)."""
        if fn[0] == "c":
            facts_of = self.graph._class_facts(fn)
            return facts_of[1].name if facts_of is not None else ""
        facts = self.graph.function(fn)
        if facts is None:
            return ""
        if facts.name == "__init__" and facts.cls is not None:
            summary = self.graph.tree.summary(fn[1])
            return summary.facts.classes[facts.cls].name if summary is not None else ""
        return facts.name

    def _all_texts(self) -> Dict[str, str]:
        if self._texts is None:
            texts: Dict[str, str] = {}
            for path in self.graph.tree.files:
                self._check_time()
                text = self.graph.tree.text(path)
                if text is not None:
                    texts[path] = text
            self._texts = texts
        return self._texts

    def _step(self, steps: int = 1) -> None:
        """One more module read for the question (or ``steps``, those of an answer reused)."""
        self._steps += steps
        if self._steps > MAX_STEPS:
            raise OutOfTime()
        self._check_time()

    def _reuse(self, kept: Kept) -> bool:
        answer, steps = kept
        self._step(steps)
        return answer

    def _check_time(self) -> None:
        if budget_clock() > self._deadline:
            raise OutOfTime()


def _may_reference(text: str, name: str) -> bool:
    """Whether ``name`` appears once not called, quoted or commented: worth parsing the module."""
    for match in re.finditer(rf"\b{re.escape(name)}\b(?!\s*\()", text):
        start, end = match.span()
        before = text[start - 1:start]
        if before in ("'", '"') or text[end:end + 1] in ("'", '"'):
            continue
        if "#" in text[text.rfind("\n", 0, start) + 1:start]:
            continue
        return True
    return False


def _may_name(callee: Sym, name: str) -> bool:
    """Whether a call of ``callee`` may run a function (or build a class) called ``name``: a call
    whose last step is another plain name runs something else (the summaries resolve imports and
    aliases; the function bound to another name is a reference, which ``uses`` finds), with no
    evaluation. A dunder (``super().__init__()``, ``self.__class__()``), a call of a value
    (``HANDLERS[k]()``, ``make()()``) and an instance called (``__call__``) may run anything."""
    last = callee.path[-1] if callee.path else callee.target.rpartition(".")[2]
    return last == name or not last.isidentifier() or last.startswith("__") or name.startswith("__")
