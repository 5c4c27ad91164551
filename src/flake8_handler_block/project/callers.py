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

Asked only for a finding outside every handler's reach, so it may read more than the index:
the files whose text holds the function's name are the candidate callers (read once, on the
first question). A common name (more than MAX_CANDIDATE_FILES files), a reference that is not a
call (``COMMANDS = {"x": f}``), or a question past its time budget is "not known", and so not
tooling: the finding stays.
"""

from __future__ import annotations

import time
from typing import Callable, Dict, List, Optional, Set, Tuple

from ..config import EXERCISE_GLOBS
from .graph import FnRef, Graph
from .tooling import is_tooling_path
from .summary import CALL, DEF, Edge, ModuleSummary

MAX_CANDIDATE_FILES = 80
MAX_UP = 4
BUDGET_SECONDS = 2.0  # for all the questions of one process

# (path, function key or None for module-level code, line, how: CALL, THREAD, SPAWN or TASK)
Caller = Tuple[str, Optional[int], int, str]


class Callers:
    def __init__(self, graph: Graph, is_entry: Callable[[FnRef], bool],
                 is_tooling_code: Callable[[str, int], bool], reached: Callable[[FnRef], bool]) -> None:
        """``is_entry``: a command or a function of a tooling file; ``is_tooling_code(path, line)``:
        module-level code that only runs as tooling; ``reached``: a handler reaches the function."""
        self.graph = graph
        self.is_entry = is_entry
        self.is_tooling_code = is_tooling_code
        self.reached = reached
        self._texts: Optional[Dict[str, str]] = None
        self._memo: Dict[FnRef, bool] = {}
        self._spent = 0.0
        self._deadline = 0.0

    def tooling_only(self, fn: FnRef) -> bool:
        start = time.monotonic()
        self._deadline = start + max(0.0, BUDGET_SECONDS - self._spent)
        try:
            return self._tooling_only(fn, 0, set())
        except _OutOfTime:
            return False
        finally:
            self._spent += time.monotonic() - start

    def _tooling_only(self, fn: FnRef, depth: int, visiting: Set[FnRef]) -> bool:
        if fn in self._memo:
            return self._memo[fn]
        if self.reached(fn):
            return False
        if self.is_entry(fn):
            return True
        if depth >= MAX_UP or fn in visiting:
            return False
        visiting.add(fn)
        callers = self.callers(fn)
        answer = callers is not None and bool(callers) and all(
            self._caller_is_tooling(c, depth, visiting) for c in callers
        )
        visiting.discard(fn)
        self._memo[fn] = answer
        return answer

    def _caller_is_tooling(self, caller: Caller, depth: int, visiting: Set[FnRef]) -> bool:
        path, key, line, how = caller
        if how != CALL:
            # A thread or task a command starts is long-running work (a server's workers), not
            # the command's own: a stall there is no CLI's business.
            return False
        if key is None:
            return self.is_tooling_code(path, line)
        return self._tooling_only(("f", path, key), depth + 1, visiting)

    def callers(self, fn: FnRef) -> Optional[List[Caller]]:
        """Every call (or hand-off) of ``fn`` in the project but those of tests, examples and docs
        (they call everything, whoever else does); None when that cannot be known."""
        name = self._name(fn)
        if not name:
            return None
        candidates = [
            path for path, text in self._all_texts().items()
            if name in text and not is_tooling_path(path, EXERCISE_GLOBS)
        ]
        if len(candidates) > MAX_CANDIDATE_FILES:
            return None
        found: List[Caller] = []
        for path in candidates:
            self._check_time()
            summary = self.graph.tree.summary(path)
            if summary is None:
                continue
            found.extend(self._calls_in(summary, fn))
        return found

    def _calls_in(self, summary: ModuleSummary, fn: FnRef) -> List[Caller]:
        found: List[Caller] = []
        path = summary.path
        for key, function in enumerate(summary.functions):
            found.extend((path, key, e.line, e.how) for e in function.edges if self._reaches(e, path, fn))
        found.extend((path, None, e.line, e.how) for e in summary.module_edges if self._reaches(e, path, fn))
        return found

    def _reaches(self, edge: Edge, path: str, fn: FnRef) -> bool:
        if edge.how == DEF:
            return False  # defining a nested function does not run it
        return any(fn in self.graph.callables(obj) for obj in self.graph.evaluate(edge.callee, path))

    def _name(self, fn: FnRef) -> str:
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

    def _check_time(self) -> None:
        if time.monotonic() > self._deadline:
            raise _OutOfTime()


class _OutOfTime(Exception):
    pass
