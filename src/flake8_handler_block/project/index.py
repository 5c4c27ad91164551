"""The project index: what reaches each function of a file from the project's handlers.

Contract
--------
``project_reach(filename, config, source=None)`` returns a :class:`ModuleReach` for
the module of ``filename``, or None when nothing can be said (project reach disabled
and the file unreadable, or an internal error). It never raises.

* The project root is inferred from ``filename`` (``root.find_root``); ``stdin``
  (``flake8 -``) has no module identity: its answers come from its own source only.
* The first call for a root builds the index: a text scan of every ``*.py`` file
  (cached on disk), then summaries of the modules the handlers lead to (cached on
  disk), then the graph. Later calls in the same process reuse it; ``flake8 -j N``
  workers share the disk cache.
* ``build_ahead(filename, config)`` (the flake8 plugin asks before it imports libcst) starts
  that build in a child process when the cache holds no result for the project as it is; the
  first call that needs the index waits for the child and reads what it stored. The answers
  are the same; only the work done meanwhile (libcst's import, the file's parse and walk)
  runs beside the build, on another core.
* ``source`` is the text being linted. When it differs from the file on disk (an
  editor buffer, ``--stdin-display-name``) that text is used for this module.
* Past a limit (``MAX_FILES`` Python files, ``BUDGET_SECONDS`` of CPU time building) or on any
  internal error, the answer degrades to the module alone: ``ModuleReach.complete``
  is then False, and chains only start at this module's own handlers.

A function is named by its qualname (``Client.fetch``, ``view.<locals>.helper``) and,
when several share it (conditional definitions), by the line of its ``def`` keyword.
"""

from __future__ import annotations

import atexit
import gc
import hashlib
import importlib.util
import json
import multiprocessing
import os
import select
import signal
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, FrozenSet, Iterator, List, Optional, Tuple, TypeVar

from .. import collector
from ..catalog import REEXPORTABLE
from ..config import VENDORED_GLOBS, Config
from ..handlers import FunctionFacts
from .cache import DEFAULT_DIRNAME, Cache
from .default_timeout import ModuleTimeouts, ProjectTimeouts
from .callers import Callers
from .clients import Clients
from .ends import Ends
from .graph import BlockingCall, ChainRef, FnRef, ForwardingCall, Graph, Reach
from .root import TooManyFiles, enclosing_root, find_root, is_stdin
from .astnames import absolute_import
from .identity import code_identity
from .summary import ModuleSummary, summarise
from .tooling import console_scripts, is_tooling_path
from .tree import Claimed, OutOfTime, ProjectTree, budget_clock

_T = TypeVar("_T")

MAX_FILES = 10_000
BUDGET_SECONDS = 40.0  # of CPU time (tree.budget_clock): a loaded machine builds what an idle one does
LOCK_WAIT = 3  # budgets of wall time a `-j` worker waits for another's build before building itself
_VIA_SHOWN = 4  # longer chains show their first and last functions


@dataclass(frozen=True)
class Chain:
    """How a handler reaches a function."""

    handler: str  # the handler's qualname
    location: str  # where the handler is defined: "routes/search.py:40" (relative to the root); "" in the same module
    # the functions after the handler, as "name()" or "Class.name()", ending with the one asked about
    via: Tuple[str, ...]

    def where(self) -> str:
        """``handler 'search' (routes/search.py:40) via search_web() -> fetch_results()``."""
        text = f"handler '{self.handler}'" + (f" ({self.location})" if self.location else "")
        via = list(self.via)
        if len(via) > _VIA_SHOWN:
            via = [via[0], "...", *via[-(_VIA_SHOWN - 2):]]
        return f"{text} via {' -> '.join(via)}" if via else text


class ModuleReach:
    """The project's answers for the functions of one module."""

    def __init__(self, summary: ModuleSummary, project: "_Project", complete: bool) -> None:
        self.module = summary.module
        self.path = summary.path
        self.complete = complete
        self._summary = summary
        self._by_qualname: Optional[Dict[str, List[FunctionFacts]]] = None
        self._reach = project.reach
        self._names = project.names
        self._config = project.config
        self._project = project
        self._tooling_path = project.is_tooling_file(summary.path)
        self.timeouts = ModuleTimeouts(summary.requests_timeouts, summary.module, project.timeouts)
        """Where the module and the project give requests a default timeout (HB201)."""
        self.handlers: Dict[str, str] = {
            summary.facts.functions[fn[2]].qualname: reason
            for fn, reason in project.handlers.items()
            if fn[1] == summary.path
        }
        """qualname -> reason for every handler of this module the project sees, including
        those registered in another module (``path("", views.index)`` in ``urls.py``) or
        deriving from a view class of another module."""

    def _key(self, name: str, line: Optional[int]) -> Optional[int]:
        """The key of the function ``name`` names: a qualname, with ``#n`` for the n-th later
        definition of it (``FunctionScope.index_name``); else the one defined at ``line``, or the first."""
        if self._by_qualname is None:  # built once: a module asks about each of its functions
            self._by_qualname = {}
            for fn in self._summary.facts.functions:
                self._by_qualname.setdefault(fn.qualname, []).append(fn)
        qualname, _, nth = name.partition("#")
        found = self._by_qualname.get(qualname)
        if not found:
            return None
        if nth:
            return found[int(nth)].key if int(nth) < len(found) else None
        if line is not None:
            for fn in found:
                if fn.line == line:
                    return fn.key
        return found[0].key

    def _chain(self, table: Dict[FnRef, ChainRef], qualname: str, line: Optional[int]) -> Optional[Chain]:
        key = self._key(qualname, line)
        found = table.get(("f", self.path, key)) if key is not None else None
        if found is None:
            return None
        handler, via = found
        _display_name, location, handler_qualname = self._names[handler]
        if handler[1] == self.path:
            location = ""  # a handler of this very module: its name is enough
        return Chain(handler_qualname, location, tuple(self._names[fn][0] for fn in via))

    def chain(self, qualname: str, line: Optional[int] = None) -> Optional[Chain]:
        """The handler that reaches this function (the shortest chain), or None."""
        return self._chain(self._reach.chains, qualname, line) if self._reach else None

    def on_loop(self, qualname: str, line: Optional[int] = None) -> Optional[Chain]:
        """How the function comes to run on an event loop: an async function reached from a
        handler, or what one calls in place (not through a thread hand-off); None otherwise."""
        return self._chain(self._reach.loop, qualname, line) if self._reach else None

    def never_runs(self, qualname: str, call_line: int, line: Optional[int] = None) -> bool:
        """The call at ``call_line`` of this function sits under a parameter test every way a
        handler enters the function rules out."""
        key = self._key(qualname, line)
        if key is None or self._reach is None:
            return False
        return call_line in self._reach.never_run.get(("f", self.path, key), frozenset())

    def blocking_calls(self, qualname: str, line: Optional[int] = None) -> List[Tuple[int, str, str]]:
        """The calls of an async function on a handler's loop to sync functions of the project that
        block: (line of the call, the name called, what blocks and where: ``subprocess.run() at
        app/smb.py:238 via test_share() -> _mount()``)."""
        found = []
        calls = self._calls_of(lambda reach: reach.blocking, qualname, line)
        for call_line, name, (api, site, site_line, via) in calls:
            place = f"line {site_line}" if site[1] == self.path else f"{site[1]}:{site_line}"
            found.append((call_line, name, f"{api}() at {place}{self._via(via)}"))
        return found

    def forwarding_calls(
        self, qualname: Optional[str], line: Optional[int] = None
    ) -> List[Tuple[int, str, str, int, str, str, bool]]:
        """Calls of a function (a handler reaches it or not) to wrappers that pass on to a catalogue
        call the timeout their callers give, if any: (line of the call, the name called, that
        catalogue call, how many positional arguments stop short of the timeout,
        ``requests.request() via ssrf_safe_request()``, the keyword the wrapper takes it as, whether
        the last wrapper passes on a parameter of its own, so that giving none passes ``None``)."""
        return [
            (call_line, name, api, params, f"{api}(){self._via(via[1:])}", keyword, by_param)
            for call_line, name, api, params, via, keyword, by_param in self._calls_of(
                lambda reach: reach.forwarding, qualname, line
            )
        ]

    def _calls_of(
        self, table: Callable[[Reach], Dict[FnRef, List[Any]]], qualname: Optional[str], line: Optional[int]
    ) -> List[Any]:
        """What a table of the project's reach (``blocking``, ``forwarding``) holds for one function here."""
        if self._reach is None or qualname is None:
            return []
        key = self._key(qualname, line)
        return table(self._reach).get(("f", self.path, key), []) if key is not None else []

    def _via(self, functions: Tuple[FnRef, ...]) -> str:
        """`` via a() -> b()`` for the functions on the way ('' for none)."""
        return " via " + " -> ".join(self._names[fn][0] for fn in functions) if functions else ""

    def has_blocking_calls(self) -> bool:
        """Whether an async function of this module calls a sync function of the project that blocks."""
        return self._reach is not None and any(fn[1] == self.path for fn in self._reach.blocking)

    def handed_work_ends(self, qualname: str, work: str, line: Optional[int] = None) -> bool:
        """Whether the work the function hands to a thread as ``work`` (``executor.submit(work, ...)``)
        provably ends: nothing it runs, a few calls down, waits with no timeout or makes a call the
        graph cannot place (``ends.Ends``). False when not known."""
        key = self._key(qualname, line)
        return key is not None and self._project.work_ends(("f", self.path, key), work)

    def in_request_task(self, qualname: str, line: Optional[int] = None) -> Optional[Chain]:
        """How the function runs inside an async handler's own task (awaited in place)."""
        return self._chain(self._reach.task, qualname, line) if self._reach else None

    @property
    def tooling_path(self) -> bool:
        """The whole module is tooling by its path (tests, scripts, CLIs, vendored code...): its
        functions are left alone unless ``serves_requests`` says a handler outside tooling reaches them."""
        return self._tooling_path and not self._config.check_tooling

    def serves_requests(self, qualname: str, line: Optional[int] = None) -> bool:
        """A handler of a file that is not tooling reaches the function (its shortest chain, or its
        way onto a handler's event loop, starts there): a helper under ``cli/`` that the web app
        calls as well (D-Tale's ``cli/clickutils.handle_path()`` behind its URL loader) does a
        request's work. Never for a vendored copy of another project, not this one's to change;
        never from a handler of a test suite or an example."""
        if self._reach is None or self._project.is_vendored_file(self.path):
            return False
        key = self._key(qualname, line)
        if key is None:
            return False
        fn = ("f", self.path, key)
        for table in (self._reach.chains, self._reach.loop):
            found = table.get(fn)
            if found is not None and not self._project.is_tooling_file(found[0][1]):
                return True
        return False

    def reaches_any(self) -> bool:
        """Whether a handler of the project reaches some function of this module."""
        return self._reach is not None and self.path in self._reach.paths()

    def is_tooling(self, qualname: Optional[str] = None, line: Optional[int] = None) -> bool:
        """Code that only runs as tooling, and is to be left alone (never with ``check-tooling``).

        True for a module matching the ``tooling`` globs, a CLI command (click/typer, an
        argparse ``set_defaults(func=...)``, what runs under ``if __name__ == "__main__":``)
        and the functions nested in one; module-level code (``qualname`` None) under the
        ``__main__`` guard, when ``line`` is given. A function a handler reaches is never tooling.
        """
        if self._config.check_tooling:
            return False
        if qualname is None:
            start, end = self._summary.main_guard
            return self._tooling_path or (line is not None and start <= line <= end)
        key = self._key(qualname, line)
        if key is None:
            return self._tooling_path
        fn = ("f", self.path, key)
        if self._reach is not None and fn in self._reach.chains:
            return False
        return self._project.is_tooling_entry(fn) or self._project.tooling_only(fn)

    def client_held_by(self, dotted: str, called: bool = False) -> Optional[str]:
        """The HTTP client or child process (``catalog.HELD_ACROSS_MODULES``) a name of another module
        holds, as this module imports it (``app.http.SESSION``, ``.http.SESSION``), or calling it
        returns (``called``); None when not known (``clients.Clients``; names.Outside)."""
        absolute = self.absolute(dotted)
        # a name that is none of the project's client names (Clients.names) holds none: most
        # imports are asked about, and the answer should not read their modules
        if absolute is None or absolute.rpartition(".")[2] not in self._project.known_client_names():
            return None
        return self._project.ask_clients(lambda clients: clients.held_by(absolute, called))

    def client_attribute(self, class_qualname: str, attr: str) -> Optional[str]:
        """The HTTP client or child process ``self.<attr>`` holds in a class of this module, set by a
        base of another."""
        if not self._project.known_client_names():
            return None  # no class of the project sets one
        return self._project.ask_clients(lambda clients: clients.attribute_of(self.path, class_qualname, attr))

    def instance_client(self, dotted_class: str, attr: str) -> Optional[str]:
        """The HTTP client or child process ``<instance>.<attr>`` holds on an instance of the project
        class ``dotted_class`` (as this module imports it: ``deps.http`` with ``deps: Deps``)."""
        absolute = self.absolute(dotted_class)
        if absolute is None or absolute.rpartition(".")[2] not in self._project.known_client_names():
            return None  # a class no module of the project gives a client
        return self._project.ask_clients(lambda clients: clients.instance_attribute(absolute, attr))

    def wrapped_client(self, dotted_class: str) -> Optional[str]:
        """The HTTP client the project class ``dotted_class`` (as this module imports it) builds into
        an attribute of its own and can close (``clients.Clients.wrapped``)."""
        absolute = self.absolute(dotted_class)
        if absolute is None or absolute.rpartition(".")[2] not in self._project.known_client_names():
            return None  # a class no module of the project gives a client
        return self._project.ask_clients(lambda clients: clients.wrapped(absolute))

    def made_fresh(self, dotted: str) -> bool:
        """The project function ``dotted`` (as this module imports it) builds anew, at each call, the
        client it returns (``FunctionSummary.fresh``: ``get_authenticated_client()``), so the caller
        owns it."""
        absolute = self.absolute(dotted)
        if absolute is None or absolute.rpartition(".")[2] not in self._project.known_client_names():
            return False  # a function no module of the project gives a client from
        return bool(self._project.ask_clients(lambda clients: clients.fresh(absolute)))

    def owner_closer(self, dotted_class: str) -> Optional[str]:
        """How an instance of the project class ``dotted_class`` releases the client it owns
        (``clients.Clients.owner_closer``)."""
        absolute = self.absolute(dotted_class)
        if absolute is None:
            return None
        return self._project.ask_clients(lambda clients: clients.owner_closer(absolute))

    def client_param(self, qualname: str, param: str) -> Optional[str]:
        """The HTTP client or registry (``catalog.HELD_ACROSS_MODULES``) every call of function
        ``qualname`` of this module passes for its parameter ``param``, wherever the call is
        (``create_auth_blueprint(oauth)`` in the app factory); None when not known."""
        key = self._key(qualname, None)
        return self._project.client_passed(("f", self.path, key), param) if key is not None else None

    def decorators_of(self, dotted: str) -> Tuple[str, ...]:
        """The decorators (callees resolved through imports) of the project function ``dotted`` names
        as this module imports it (``from .tasks import rebuild``); () when it names none."""

        def decorators(graph: Graph, absolute: str) -> Tuple[str, ...]:
            for obj in graph.resolve(absolute):
                facts = graph.function(obj) if obj[0] == "f" else None
                if facts is not None:
                    return tuple(decorator.full for decorator in facts.decorators)
            return ()

        return self._ask_graph(dotted, decorators, ())

    def keeps_result(self, dotted: str) -> bool:
        """The project function ``dotted`` names as this module sees it (``trace_method``, imported or
        its own) is a decorator handing back what the function it decorates returns
        (``FunctionSummary.keeps_result``)."""

        def keeps(graph: Graph, absolute: str) -> bool:
            own = f"{self.module}.{dotted}"  # a decorator the module defines
            for obj in [*graph.resolve(absolute), *(graph.resolve(own) if "." not in dotted else ())]:
                summary = graph.tree.summary(obj[1]) if obj[0] == "f" else None
                if summary is not None and obj[2] < len(summary.functions):
                    return summary.functions[obj[2]].keeps_result
            return False

        return self._ask_graph(dotted, keeps, False)

    def library_reexport(self, dotted: str) -> Optional[str]:
        """The library's name for what another module of the project imports and this module
        imports from it (``from .compat import urlopen``: ``urllib.request.urlopen``); None when
        ``dotted`` is no such import (only names the catalogue knows are asked about)."""
        if dotted.rpartition(".")[2] not in REEXPORTABLE:
            return None
        return self._ask_graph(dotted, Graph.reexported, None)

    def _ask_graph(self, dotted: str, question: Callable[[Graph, str], _T], default: _T) -> _T:
        """``question`` of the project's graph about ``dotted`` as this module imports it (made
        absolute, ``.tasks.rebuild`` as ``app.tasks.rebuild``); ``default`` when there is no graph
        or it cannot answer (the callers' index is built on the first question only)."""
        absolute = self.absolute(dotted)
        callers = self._project.callers() if absolute is not None else None
        if absolute is None or callers is None:
            return default
        try:
            return question(callers.graph, absolute)
        except (Exception, RecursionError):
            return default  # an index that cannot answer says nothing

    def registry_fetches_metadata(self, dotted: str, app: str) -> bool:
        """The authlib registry ``dotted`` (as this module imports it) is given, in the module that
        builds it, an app named ``app`` registered with a ``server_metadata_url``."""
        absolute = self.absolute(dotted)
        return absolute is not None and self._project.ask_clients(
            lambda clients: clients.registers_metadata(absolute, app)
        ) is not None

    def absolute(self, dotted: str) -> Optional[str]:
        """``.http.SESSION`` as imported by this module: ``app.http.SESSION``."""
        level = len(dotted) - len(dotted.lstrip("."))
        return absolute_import(self.module, self._summary.is_package, level, dotted[level:])

    def cancelled_by_callers(self, qualname: str) -> bool:
        """Every call of async ``qualname`` in the project is awaited under a caller's deadline."""
        key = self._key(qualname, None)
        return key is not None and self._project.cancelled_by_callers(("f", self.path, key))

    def torn_down_by_callers(self, qualname: str) -> bool:
        """Every call of async ``qualname`` in the project is teardown (``callers.Callers``)."""
        key = self._key(qualname, None)
        return key is not None and self._project.torn_down_by_callers(("f", self.path, key))

    def handed_over_by_callers(self, qualname: str) -> bool:
        """Every call of the async generator ``qualname`` hands it on uniterated (``callers.Callers``)."""
        key = self._key(qualname, None)
        return key is not None and self._project.handed_over_by_callers(("f", self.path, key))


class _Project:
    """One root's index in this process: the tree, the graph and its reach, built once."""

    def __init__(self, root: str, config: Config, only: Optional[Dict[str, str]] = None) -> None:
        self.root = root
        self.config = config
        self.error = ""
        self.tree: Optional[ProjectTree] = None
        self.reach: Optional[Reach] = None
        self.handlers: Dict[FnRef, str] = {}
        self.names: Dict[FnRef, Tuple[str, str, str]] = {}  # function -> (display name, location, qualname)
        self.client_names: FrozenSet[str] = frozenset()  # what a module writes to use another's client (clients.py)
        self.built_seconds = 0.0
        # Where this root sits in a project around it (``vendor/pocket`` for a vendored package
        # with its own setup.py): the outer project's tooling globs apply to it too.
        outer = enclosing_root(root)
        self.outer_prefix = os.path.relpath(root, outer).replace(os.sep, "/") if outer else None
        self._callers: Optional[Callers] = None
        self._clients: Optional[Clients] = None
        self._early_client_names: Optional[FrozenSet[str]] = None  # known_client_names before a build
        self._ends: Optional[Ends] = None
        self._scripts: Optional[FrozenSet[str]] = None
        self._compared: Dict[str, Tuple[str, bool]] = {}  # path -> (last text asked about, an edit?)
        self._fingerprint: Optional[Tuple[Optional[str]]] = None  # computed once
        self.gate_table: Any = None  # the gate's table, read from the cache or kept in this process
        self.gate_table_read = False
        # reach, its paths, the paths with blocking calls, those with calls of wrappers passing no timeout
        self._marked: Optional[Tuple[Reach, FrozenSet[str], FrozenSet[str], FrozenSet[str], FrozenSet[str]]] = None
        self._helper: Optional[int] = None  # a child process building the index ahead (build_ahead)
        self._helper_done: Optional[int] = None  # a pipe's read end: at its end the child stored the result
        self._helper_stays = False  # the child goes on with other work once the result is stored
        self._handed: Optional[bytes] = None  # the result a child wrote into the pipe (build_ahead's hand_off)
        self._ahead_asked = False
        # One module alone is linear work: only the project has a budget.
        self.budget = BUDGET_SECONDS if only is None else float("inf")
        deadline = budget_clock() + self.budget
        cache = _cache(root, config) if only is None else Cache(None, root)
        try:
            self.tree = ProjectTree(root, config, cache, MAX_FILES, deadline, only)
        except (TooManyFiles, OutOfTime) as exc:
            self.error = type(exc).__name__
        except Exception as exc:  # a bug of ours must not stop the lint run
            self.error = f"{type(exc).__name__}: {exc}"
        self.timeouts = ProjectTimeouts(self.tree, config)

    # -- tooling -------------------------------------------------------------------------

    def is_tooling_file(self, path: str) -> bool:
        """A file of the ``tooling`` globs, here or as seen from an enclosing project; or a module
        Python never imports, hidden by a package of the same name beside it (``ModuleNames.shadowed``):
        dead code, left alone like tooling."""
        if self.tree is not None and path in self.tree.names.shadowed:
            return True
        return self._matches(path, self.config.tooling)

    def is_vendored_file(self, path: str) -> bool:
        """A file of a vendored copy of another project (``config.VENDORED_GLOBS``) that the
        ``tooling`` globs leave alone, here or as seen from an enclosing project."""
        return self.is_tooling_file(path) and self._matches(path, VENDORED_GLOBS)

    def _matches(self, path: str, globs: Tuple[str, ...]) -> bool:
        if is_tooling_path(path, globs):
            return True
        return self.outer_prefix is not None and is_tooling_path(f"{self.outer_prefix}/{path}", globs)

    def is_tooling_entry(self, fn: FnRef) -> bool:
        """A function of a tooling file, a CLI command, or a function nested in one."""
        if self.is_tooling_file(fn[1]):
            return True
        summary = self.tree.summary(fn[1]) if self.tree is not None else None
        if summary is not None and f"{summary.module}.{summary.facts.functions[fn[2]].qualname}" in self.scripts:
            return True
        current: Optional[int] = fn[2]
        while summary is not None and current is not None:
            own = summary.functions[current]
            if own.command or (own.main_called and current != fn[2]):
                return True  # what the guard calls itself is Callers' question (is_main_called)
            current = summary.facts.functions[current].parent_function
        return False

    def is_main_called(self, fn: FnRef) -> bool:
        """A function the ``__main__`` guard calls (callers.Callers asks who else does)."""
        summary = self.tree.summary(fn[1]) if self.tree is not None else None
        return summary is not None and summary.functions[fn[2]].main_called

    @property
    def scripts(self) -> FrozenSet[str]:
        """``module.function`` of the project's console scripts (read once)."""
        if self._scripts is None:
            self._scripts = console_scripts(self.root)
        return self._scripts

    def is_tooling_code(self, path: str, line: int) -> bool:
        """Module-level code of a tooling file, or under its ``__main__`` guard."""
        if self.is_tooling_file(path):
            return True
        summary = self.tree.summary(path) if self.tree is not None else None
        start, end = summary.main_guard if summary is not None else (0, 0)
        return start <= line <= end and end > 0

    def tooling_only(self, fn: FnRef) -> bool:
        """Called only by tooling, up a few calls (``callers.Callers``); False when not known."""
        callers = self.callers()
        return callers.tooling_only(fn) if callers is not None else self.is_main_called(fn)

    def cancelled_by_callers(self, fn: FnRef) -> bool:
        """Every caller awaits async ``fn`` under a deadline (``callers.Callers``); False when not known."""
        callers = self.callers()
        return callers is not None and callers.cancelled_by_callers(fn)

    def torn_down_by_callers(self, fn: FnRef) -> bool:
        """Every call of async ``fn`` is teardown (``callers.Callers``); False when not known."""
        callers = self.callers()
        return callers is not None and callers.torn_down_by_callers(fn)

    def handed_over_by_callers(self, fn: FnRef) -> bool:
        """Every call of the async generator ``fn`` hands it on uniterated; False when not known."""
        callers = self.callers()
        return callers is not None and callers.handed_over_by_callers(fn)

    def work_ends(self, fn: FnRef, work: str) -> bool:
        """The work ``fn`` hands to a thread as ``work`` provably ends (``ends.Ends``); False when not known."""
        callers = self.callers()
        if callers is None:
            return False
        if self._ends is None:
            self._ends = Ends(callers.graph)
        return self._ends.handed_work_ends(fn, work)

    def client_passed(self, fn: FnRef, param: str) -> Optional[str]:
        """The client every call of ``fn`` passes for ``param`` (``Callers.arguments``, ``Clients.passed``);
        asked only of a function some call passes a client to (``Clients.receivers``)."""
        callers = self.callers()
        if callers is None:
            return None

        def question(clients: Clients) -> Optional[str]:
            if callers.called_as(fn) not in clients.receivers():
                return None
            arguments = callers.arguments(fn, param)
            return clients.passed(arguments) if arguments else None

        return self.ask_clients(question)

    def known_client_names(self, first: Optional[str] = None) -> FrozenSet[str]:
        """``client_names``, without building the index when it is not built yet: then read from
        the files that may build a client alone (``Clients.names``: the gate asks about files that
        name nothing else, and an editor linting one should not wait for the whole index). While
        a child builds the index ahead, its result says, and the wait helps it (``build``): the
        gate asks the whole index next anyway. ``first``: the module this process lints."""
        if self.reach is None and self._helper is not None:
            self.build(first)
        if self.reach is not None or self.tree is None or self.error:
            return self.client_names
        if self._early_client_names is None:
            self.tree.deadline = budget_clock() + self.budget
            try:
                self._early_client_names = Clients(Graph(self.tree, self.config)).names()
            except (Exception, RecursionError):  # OutOfTime too: the file is left to the words
                self._early_client_names = frozenset()
        return self._early_client_names

    def ask_clients(self, question: Callable[[Clients], Optional[_T]]) -> Optional[_T]:
        """``question`` put to the project's clients (None without a usable tree, or on any error:
        an unknown receiver is never reported)."""
        callers = self.callers()
        if callers is None:
            return None
        if self._clients is None:
            self._clients = Clients(callers.graph)
        try:
            return question(self._clients)
        except (Exception, RecursionError):
            return None

    def callers(self) -> Optional[Callers]:
        """Who calls what, read on demand (None without a usable tree)."""
        if self.tree is None or self.error:
            return None
        if self._callers is None:
            reach = self.reach
            self._callers = Callers(
                Graph(self.tree, self.config), self.is_tooling_entry, self.is_tooling_code,
                lambda f: reach is not None and f in reach.chains, lambda f: f in self.handlers,
                self.is_main_called,
            )
        return self._callers

    def fingerprint(self) -> Optional[str]:
        """The tree's fingerprint as first seen in this process (a file that was too recent then
        may look old enough later, but the scan read it as it was); None after an edit."""
        if self._fingerprint is None:
            self._fingerprint = (self.tree.fingerprint() if self.tree is not None else None,)
        return None if self.tree is None or self.tree.overrides else self._fingerprint[0]

    def build_ahead(
        self, then: Optional[Callable[[], None]] = None, hand_off: bool = False, scan_first: bool = False
    ) -> bool:
        """Start building the index in a child process, which stores it in the cache, so that the
        work this process does before it needs the index (importing libcst, parsing and walking
        the file) runs beside the build on another core; ``build`` then reads the stored result.

        Only once per project and process, when the result can be stored and is not stored yet,
        the cache holds a lock and no one else holds it (the child keeps it until the result is
        stored: a ``-j N`` worker waits for it as for another worker's build), and this process
        can fork safely (no other thread). The child closes a pipe once the result is stored (or
        it failed); then it runs ``then``, if given, and leaves (stopped at this process's exit
        if still running). Returns whether a child was started.

        ``hand_off``: this process reads the result itself (it lints, and no other process shares
        the pipe). Then, when no result can be kept because a file was written a moment ago (an
        editor's save), the child still builds, and writes this run's result into the pipe.

        ``scan_first``: the text scan of every file is done here, before the fork, so that the child
        and the processes forked later (``flake8 -j N`` workers, which ask for it as they wait) share
        one scan instead of each making its own."""
        if self._ahead_asked or self.tree is None or self.reach is not None or self.error:
            return False
        self._ahead_asked = True
        cache = self.tree.cache
        if not _can_fork() or not cache.enabled:
            return False
        fingerprint = self.tree.fingerprint()
        lock = None
        if fingerprint is None:
            if not hand_off or self.tree.overrides:
                self._ahead_asked = hand_off  # the linting process may ask again, handing off
                return False
            then = None  # nothing of this run can be kept for the next one
        elif cache.load_result(fingerprint) is not None:
            return False
        else:
            lock = cache.try_lock()
            if lock is None:
                return False
        try:
            done_read, done_write = os.pipe()
        except OSError:
            _close(lock)
            return False
        if scan_first:
            try:
                self.tree.light
            except Exception:  # out of time: the child finds out again, and stops
                pass
        self.tree.share_claims()
        try:
            pid = os.fork()
        except OSError:
            _close(lock)
            os.close(done_read)
            os.close(done_write)
            return False
        if pid == 0:  # the child: build, store, leave without running anything of the parent's
            code = 1
            try:
                os.close(done_read)
                signal.signal(signal.SIGTERM, _stop_child)  # a write under way removes its temporary file
                gc.disable()  # as for any build (project_reach): the scan allocates no cycles
                cache.hold_summaries()  # the result first: the others wait for it
                if fingerprint is None:
                    self._build_and_hand_off(done_write)
                else:
                    self._build_and_store(fingerprint)
                # From here a stop at the parent's exit is held until the summaries are written (a
                # later build reads them): the parent does not wait, so hold none of its pipes.
                signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
                _close(lock)  # the others may read the result now
                os.close(done_write)
                _detach_stdio()
                cache.write_held()
                signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})  # a stop asked meanwhile: here
                code = 0
                if then is not None:
                    gc.enable()
                    then()
            finally:
                os._exit(code)
        _close(lock)  # the child holds it now
        os.close(done_write)
        self._helper, self._helper_done, self._helper_stays = pid, done_read, then is not None
        _started(pid)
        return True

    def _build_and_store(self, fingerprint: str) -> None:
        """In the child of ``build_ahead``, which holds the build lock already."""
        assert self.tree is not None
        self.tree.deadline = budget_clock() + self.budget
        self._compute()
        self.tree.cache.store_result(fingerprint, self._saved())

    def _build_and_hand_off(self, pipe: int) -> None:
        """In the child of ``build_ahead``: this run's result, as JSON, into ``pipe``."""
        assert self.tree is not None
        self.tree.deadline = budget_clock() + self.budget
        self._compute()
        data = memoryview(json.dumps(self._saved(), separators=(",", ":")).encode("utf-8"))
        while data:
            data = data[os.write(pipe, data):]

    def _wait_for_helper(self, first: Optional[str]) -> None:
        """Wait until the child of ``build_ahead`` stored the result or failed (it stops itself
        within the build budget), summarising for it meanwhile (``_help``). A child with nothing
        else to do is reaped; one that goes on is stopped at exit. A ``flake8 -j N`` worker
        forked after the child was started waits on the same pipe. ``first``: the module this
        process lints."""
        pid, done, self._helper, self._helper_done = self._helper, self._helper_done, None, None
        if pid is None or done is None:
            return
        handed = bytearray()  # a child that hands its result off writes it here; the others write nothing
        try:
            step = self._helper_step(rotated=_HELPERS.get(pid) != os.getpid(), first=first)
            idle = False
            while True:
                if not idle and not select.select([done], [], [], 0)[0]:
                    idle = not step()
                    continue
                chunk = os.read(done, 1 << 16)  # with nothing left to do, waits for the child
                if not chunk:
                    break
                handed += chunk
        finally:
            os.close(done)
        self._handed = bytes(handed) if handed else None
        if not self._helper_stays and _HELPERS.get(pid) == os.getpid():
            _reap(pid)  # else at exit

    def _helper_step(self, rotated: bool, first: Optional[str]) -> Callable[[], bool]:
        """One step of ``_help`` a call; False once there is nothing left to do (or it failed)."""
        work = self._help(rotated, first)
        tree = self.tree

        def step() -> bool:
            if tree is None:
                return False
            tree.helping = True
            try:
                next(work)
                return True
            except Exception:  # done, out of time, an unreadable file: waiting is all that is left
                return False
            finally:
                tree.helping = False

        return step

    def _help(self, rotated: bool, first: Optional[str]) -> Iterator[None]:
        """Work for this process while another one builds the index (the child of ``build_ahead``,
        a ``flake8 -j N`` worker holding the build lock), a short step at a time, summarising
        modules into the cache where the builder reads them instead of parsing them:

        - ``first``, the module this process lints: its answer reads the summary right after the
          build, and the builder may read it from here;
        - the modules the search for handlers reads first (``ProjectTree.hinted``), from the
          end: the builder starts at the other;
        - the modules the build reads last: the wrapper search's candidates
          (``ProjectTree.may_forward``) and the modules their ``**kwargs`` calls lead to, from
          the end of the tree; ``rotated``: from a place of its own (several workers waiting
          help side by side).

        A module another process has started on is left to it (``ProjectTree.claimed``). A
        module summarised here is the module the builder would have summarised."""
        tree = self.tree
        if tree is None or not tree.cache.enabled:
            return
        if first is not None and first in tree.files:
            tree.helping = False  # this process needs its own module whoever else reads it
            tree.summary(first)
            yield
        hinted = sorted(tree.hinted(), reverse=True)
        paths = [path for path in reversed(list(tree.files)) if tree.may_forward(path)]
        if rotated:
            hinted, paths = _rotated(hinted), _rotated(paths)
        for path in [*hinted, *paths]:
            if not tree.claimed(path) and not tree.cache.has_summary(path):
                tree.summary(path)
                yield
        # What the search reads next: the modules the wrappers' calls lead to, if there can be
        # a wrapper (``Graph.forwards_without_timeout`` reads every candidate first to tell).
        summaries = []
        for path in paths:
            try:
                summaries.append((path, tree.summary(path)))
            except Claimed:
                pass
            yield
        graph = Graph(tree, self.config)  # its answers are not kept: a Claimed may cut one short
        for path, summary in summaries:
            for key, function in enumerate(summary.functions if summary is not None else ()):
                if function.forwards:
                    try:
                        graph.forwards_without_timeout(("f", path, key))
                    except Claimed:
                        pass
                    yield

    def build(self, first: Optional[str] = None) -> None:
        """The index, from the cache or built here; ``first``: the module this process lints."""
        if self.tree is None or self.reach is not None or self.error:
            return
        start = time.monotonic()
        self._wait_for_helper(first)
        try:
            self.tree.deadline = budget_clock() + self.budget
            fingerprint = self.tree.fingerprint()
            stored = self.tree.cache.load_result(fingerprint) if fingerprint else None
            handed, self._handed = self._handed, None
            if stored is None and handed and not self.tree.overrides:  # else built before the edit
                try:
                    stored = json.loads(handed)
                except ValueError:
                    stored = None
            if stored is None or not self._restore(stored):
                # `flake8 -j N` workers reach this at once: one builds, the others wait for the
                # result it stores instead of building the same index side by side. The budget is
                # CPU time: on a loaded machine the builder's wall time is longer, so wait longer.
                with self.tree.cache.building(enabled=fingerprint is not None, wait=LOCK_WAIT * self.budget,
                                              meanwhile=self._helper_step(rotated=True, first=first)):
                    self.tree.deadline = budget_clock() + self.budget
                    stored = self.tree.cache.load_result(fingerprint) if fingerprint else None
                    if stored is None or not self._restore(stored):
                        self._compute()
                        if fingerprint:
                            self.tree.cache.store_result(fingerprint, self._saved())
        except OutOfTime:
            self.error = "OutOfTime"
        except RecursionError:
            self.error = "RecursionError"
        except Exception as exc:
            self.error = f"{type(exc).__name__}: {exc}"
        if self.error:
            self.reach = None
        self.built_seconds = time.monotonic() - start
        collector.built_long_lived()

    def _compute(self) -> None:
        assert self.tree is not None
        graph = Graph(self.tree, self.config)
        self.handlers = graph.handlers()
        self.reach = graph.reach(self.handlers)
        early = self._early_client_names
        self.client_names = early if early is not None and not self.tree.overrides else Clients(graph).names()
        self.tree.forget_texts()
        self.names = {}
        blocking = [
            fn for calls in self.reach.blocking.values() for _l, _n, block in calls for fn in (block[1], *block[3])
        ]
        blocking += [fn for calls in self.reach.forwarding.values() for *_r, via, _kw, _by in calls for fn in via]
        for fn in [*self.reach.chains, *self.reach.loop, *self.reach.forwarding, *blocking]:
            facts = graph.function(fn)
            if facts is not None and fn not in self.names:
                self.names[fn] = (_display(graph, fn), f"{fn[1]}:{facts.line}", facts.qualname)

    def _saved(self) -> Dict[str, object]:
        """The result as JSON-ready lists: functions once in a table, then indexes into it."""
        assert self.reach is not None
        table = list(self.names)
        number = {fn: i for i, fn in enumerate(table)}

        def chains(found: Dict[FnRef, ChainRef]) -> List[List[object]]:
            return [[number[fn], number[handler], [number[v] for v in via]] for fn, (handler, via) in found.items()]

        return {
            "functions": [[fn[1], fn[2], *self.names[fn]] for fn in table],
            "handlers": [[fn[1], fn[2], reason] for fn, reason in self.handlers.items()],
            "chains": chains(self.reach.chains),
            "loop": chains(self.reach.loop),
            "task": chains(self.reach.task),
            "blocking": [
                [number[fn], line, name, api, number[site], site_line, [number[v] for v in via]]
                for fn, calls in self.reach.blocking.items()
                for line, name, (api, site, site_line, via) in calls
            ],
            "forwarding": [
                [number[fn], line, name, api, params, [number[v] for v in via], keyword, int(by_param)]
                for fn, calls in self.reach.forwarding.items()
                for line, name, api, params, via, keyword, by_param in calls
            ],
            "never_run": [[number[fn], sorted(lines)] for fn, lines in self.reach.never_run.items() if fn in number],
            "clients": sorted(self.client_names),
        }

    def _restore(self, stored: Any) -> bool:
        try:
            table: List[FnRef] = []
            names: Dict[FnRef, Tuple[str, str, str]] = {}
            for path, key, display, location, qualname in stored["functions"]:
                fn = ("f", str(path), int(key))
                table.append(fn)
                names[fn] = (str(display), str(location), str(qualname))

            def chains(rows: Any) -> Dict[FnRef, ChainRef]:
                return {table[i]: (table[h], tuple(table[v] for v in via)) for i, h, via in rows}

            handlers = {("f", str(path), int(key)): str(reason) for path, key, reason in stored["handlers"]}
            blocking: Dict[FnRef, List[BlockingCall]] = {}
            for i, line, name, api, site, site_line, via in stored["blocking"]:
                block = (str(api), table[site], int(site_line), tuple(table[v] for v in via))
                blocking.setdefault(table[i], []).append((int(line), str(name), block))
            forwarding: Dict[FnRef, List[ForwardingCall]] = {}
            for i, line, name, api, params, via, keyword, by_param in stored["forwarding"]:
                forwarding.setdefault(table[i], []).append(
                    (int(line), str(name), str(api), int(params), tuple(table[v] for v in via), str(keyword),
                     bool(by_param))
                )
            never_run = {table[i]: frozenset(int(line) for line in lines) for i, lines in stored["never_run"]}
            reach = Reach(
                list(handlers), chains(stored["chains"]), chains(stored["loop"]), chains(stored["task"]), blocking,
                forwarding, never_run,
            )
            client_names = frozenset(str(name) for name in stored["clients"])
        except (TypeError, ValueError, KeyError, IndexError):
            return False
        self.handlers, self.reach, self.names, self.client_names = handlers, reach, names, client_names
        return True

    def answer(self, path: str, source: Optional[str], complete: bool = True) -> Optional[ModuleReach]:
        reach = self.reach_for(path, source)
        summary = self.tree.summary(path) if reach is not None and self.tree is not None else None
        if summary is None or self.reach is None:
            return None
        return ModuleReach(summary, self, complete)

    def reach_for(self, path: str, source: Optional[str]) -> Optional[Reach]:
        """The reach of the project as it stands with ``source`` for ``path`` (built on first
        use); None when the project cannot speak for ``path``."""
        tree = self.tree
        if tree is None or path not in tree.files:
            return None
        if source is not None and self._is_edit(path, source):
            tree.override(path, source)
            self.reach = None
        self.build(path)
        # The budget bounds the build; what one module's answer reads after it (its own summary,
        # those the default-timeout questions read) gets a budget of its own, so that an answer
        # never depends on how long ago the build ran.
        tree.deadline = budget_clock() + self.budget
        return None if self.error else self.reach

    def mark(self, path: str, source: Optional[str]) -> Optional[ModuleMark]:
        """``ModuleReach.reaches_any`` and ``has_blocking_calls`` without reading the module's summary."""
        reach = self.reach_for(path, source)
        if reach is None:
            return None
        if self._marked is None or self._marked[0] is not reach:
            blocking = frozenset(fn[1] for fn in reach.blocking)
            forwarding = frozenset(fn[1] for fn in reach.forwarding)
            loop = frozenset(fn[1] for fn in reach.loop)
            self._marked = (reach, reach.paths(), blocking, forwarding, loop)
        _reach, reached, blocking, forwarding, loop = self._marked
        return ModuleMark(path in reached, path in blocking, path in forwarding, path in loop)

    def _is_edit(self, path: str, source: str) -> bool:
        """Is ``source`` (the text being linted) an edit of ``path`` that changes the project's facts?

        Compared as Python reads the file (coding cookie, BOM, newlines), and then by summary:
        an editor buffer that only differs in comments or inside strings is no edit here, and
        keeps the cached result usable.
        """
        assert self.tree is not None
        known = self._compared.get(path)
        if known is not None and known[0] == source:
            return known[1]
        current = self.tree.overrides.get(path)
        if current is not None:
            edit = _normalised(current) != _normalised(source)
        else:
            on_disk = _read_source(os.path.join(self.root, path))
            edit = on_disk is None or on_disk != _normalised(source)
            if edit:
                named = self.tree.names.name_of(path)
                disk_summary = self.tree.summary(path)
                edit = (
                    named is None
                    or disk_summary is None
                    or summarise(source, named[0], path, named[1]) != disk_summary
                )
        self._compared[path] = (source, edit)
        return edit


def _rotated(paths: List[str]) -> List[str]:
    """``paths`` from a place of this process's own: helpers side by side start apart."""
    if not paths:
        return paths
    start = os.getpid() * 7919 % len(paths)
    return paths[start:] + paths[:start]


def _read_source(filename: str) -> Optional[str]:
    """The file's text as Python (and flake8) read it, newlines normalised."""
    try:
        with open(filename, "rb") as handle:
            return _normalised(importlib.util.decode_source(handle.read()))
    except (OSError, SyntaxError, UnicodeDecodeError, LookupError):
        return None


def _normalised(text: str) -> str:
    text = text[1:] if text.startswith("\ufeff") else text
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _display(graph: Graph, fn: FnRef) -> str:
    summary = graph.tree.summary(fn[1])
    if summary is None:
        return "?"
    facts = summary.facts.functions[fn[2]]
    owner = summary.facts.classes[facts.cls].name if facts.cls is not None else None
    return chain_name(owner, facts.name, facts.reads_as_property)


def chain_name(owner: Optional[str], name: str, reads_as_property: bool) -> str:
    """How a chain names a function: ``fetch()``, ``Client.get()``; a property is read, not called:
    ``Discovery.data``."""
    return f"{owner + '.' if owner else ''}{name}{'' if reads_as_property else '()'}"


def _cache(root: str, config: Config) -> Cache:
    if not config.cache:
        return Cache(None, root)
    directory = config.cache_dir or DEFAULT_DIRNAME
    return Cache(os.path.join(root, os.path.expanduser(directory)), root)


_PROJECTS: Dict[Tuple[str, Config], _Project] = {}


def project_reach(filename: str, config: Config, source: Optional[str] = None) -> Optional[ModuleReach]:
    """What the project says about the module of ``filename`` (see the module docstring)."""
    with collector.paused():  # a scan allocates many short-lived, acyclic objects
        try:
            return _project_reach(filename, config, source)
        except Exception:
            return None


def _project_reach(filename: str, config: Config, source: Optional[str]) -> Optional[ModuleReach]:
    if is_stdin(filename) or not config.project_reach:
        return module_only(filename, config, source)
    project, path = _project_of(filename, config)
    answer = project.answer(path, source)
    if answer is not None:
        return answer
    return module_only(filename, config, source)


def _project_of(filename: str, config: Config) -> Tuple[_Project, str]:
    """The index of ``filename``'s project in this process (made on first use) and its path there."""
    root = _root(filename)
    path = os.path.relpath(os.path.abspath(filename), root).replace(os.sep, "/")
    project = _PROJECTS.get((root, config))
    if project is None:
        project = _PROJECTS[(root, config)] = _Project(root, config)
    return project, path


@dataclass(frozen=True)
class ModuleMark:
    """What the project says of a module as a whole: enough for the engine's gate."""

    reached: bool  # ModuleReach.reaches_any()
    blocking: bool  # ModuleReach.has_blocking_calls()
    forwarding: bool = False  # a function of it calls a wrapper of the project that passes on no timeout
    # a function of it runs on a handler's event loop: a sync one too (an MCP SDK 1.x tool another
    # module registers, `mcp.tool()(tags.list_tags)`), in a module that may never write `async`
    on_loop: bool = False


def module_mark(
    filename: str, config: Config, source: Optional[str] = None, alone: bool = True
) -> Optional[ModuleMark]:
    """``project_reach(...)``'s ``reaches_any()`` and ``has_blocking_calls()``, None where it gives
    None; never raises. Cheaper: the module's own summary is not read when the project answers.
    ``alone``: when the project cannot answer, the module alone does (else None)."""
    with collector.paused():
        try:
            if not is_stdin(filename) and config.project_reach:
                project, path = _project_of(filename, config)
                found = project.mark(path, source)
                if found is not None:
                    return found
            if not alone:
                return None
            alone_reach = module_only(filename, config, source)
            if alone_reach is None:
                return None
            return ModuleMark(alone_reach.reaches_any(), alone_reach.has_blocking_calls())
        except Exception:
            return None


def client_names(filename: str, config: Config) -> FrozenSet[str]:
    """The names through which a module may use an HTTP client or child process another module of
    the project builds (``Clients.names``); empty for a file alone or on any error. Never raises."""
    if is_stdin(filename) or not config.project_reach:
        return frozenset()
    try:
        project, path = _project_of(filename, config)
        return project.known_client_names(path)
    except Exception:
        return frozenset()


class FindingsSlot:
    """Where one module's findings are kept between runs, for one exact state of everything
    they depend on (see :func:`findings_slot`)."""

    def __init__(self, cache: Cache, path: str, key: str) -> None:
        self.cache = cache
        self.path = path
        self.key = key

    def load(self) -> Optional[List[Tuple[int, int, str]]]:
        return self.cache.load_findings(self.path, self.key)

    def store(self, findings: List[Tuple[int, int, str]]) -> None:
        self.cache.store_findings(self.path, self.key, findings)


def findings_slot(filename: str, config: Config, source: str) -> Optional[FindingsSlot]:
    """Where the findings of ``source`` (the text of ``filename``) are kept between runs, so that
    a run over unchanged code does not analyse the module again; never raises.

    They depend on the text, the configuration, this package's own code, and what the rest of
    the project says; the key holds all of them: the text's hash, the configuration, the path,
    size and mtime of every file of this package and of the project (any change anywhere in the
    project computes every module again), the Python and libcst versions. None (nothing kept)
    for stdin, a module outside the project's tree, a disabled cache, and while the project
    has no fingerprint (a file written in the last seconds, an edit not saved yet).
    """
    try:
        if is_stdin(filename) or not config.project_reach or not config.cache:
            return None
        root = _root(filename)
        path = os.path.relpath(os.path.abspath(filename), root).replace(os.sep, "/")
        project = _PROJECTS.get((root, config))
        if project is None:
            project = _PROJECTS[(root, config)] = _Project(root, config)
        tree = project.tree
        if tree is None or path not in tree.files or not tree.cache.enabled or project._is_edit(path, source):
            return None
        fingerprint = project.fingerprint()
        if fingerprint is None:
            return None
        text = hashlib.sha1(source.encode("utf-8", "surrogatepass")).hexdigest()
        around = (tree.settings, project.outer_prefix)
        key = hashlib.sha1(repr((code_identity(), repr(config), fingerprint, around, path, text)).encode()).hexdigest()
        return FindingsSlot(tree.cache, path, key)
    except Exception:
        return None


def _cached_project(filename: str, config: Config) -> Optional[_Project]:
    """The project of ``filename`` when it keeps a cache on disk."""
    if is_stdin(filename) or not config.project_reach or not config.cache:
        return None
    root = _root(filename)
    project = _PROJECTS.get((root, config))
    if project is None:
        project = _PROJECTS[(root, config)] = _Project(root, config)
    return project if project.tree is not None and project.tree.cache.enabled else None


def _gate_key(config: Config) -> str:
    return hashlib.sha1(repr((code_identity(), repr(config))).encode()).hexdigest()


def keep_gate_table(filename: str, config: Config, table: Any) -> None:
    """Keep the gate's table (``gate.GateTable.to_data``) for the next run of this code and
    configuration in the project of ``filename`` (written once per process); never raises."""
    try:
        project = _cached_project(filename, config)
        if project is not None and project.gate_table is None:
            project.gate_table = table
            assert project.tree is not None
            project.tree.cache.store_gate(_gate_key(config), table)
    except Exception:
        pass


def stored_gate_table(filename: str, config: Config) -> Any:
    """The table ``keep_gate_table`` kept for this code and configuration, or None; never raises."""
    try:
        project = _cached_project(filename, config)
        if project is None:
            return None
        if project.gate_table is None and not project.gate_table_read:
            project.gate_table_read = True  # read once: a miss stays a miss until this process keeps one
            assert project.tree is not None
            project.gate_table = project.tree.cache.load_gate(_gate_key(config))
        return project.gate_table
    except Exception:
        return None


def module_only(filename: str, config: Config, source: Optional[str] = None) -> Optional[ModuleReach]:
    """The answers one module gives alone: its own handlers and what they reach in it."""
    stdin = is_stdin(filename)
    root = find_root(filename) if stdin else _root(filename)
    path = "stdin.py" if stdin else os.path.relpath(os.path.abspath(filename), root).replace(os.sep, "/")
    if source is None:
        if stdin:
            return None
        try:
            with open(os.path.join(root, path), "rb") as handle:
                source = handle.read().decode("utf-8", "replace")
        except OSError:
            return None
    return _Project(root, config, only={path: source}).answer(path, None, complete=False)


def build_ahead(filename: str, config: Config) -> None:
    """Start building the index of ``filename``'s project in a child process when it is not in
    the cache yet (``_Project.build_ahead``); the flake8 plugin asks before it imports the engine.
    Never raises."""
    try:
        if not is_stdin(filename) and config.project_reach and config.cache:
            # A flake8 -j N worker shares what its parent started; only a process of its own hands off.
            _project_of(filename, config)[0].build_ahead(hand_off=multiprocessing.parent_process() is None)
    except Exception:
        pass


def build_ahead_for_run(paths: List[str], config: Config, then: Optional[Callable[[], None]] = None) -> None:
    """``build_ahead`` as a flake8 run starts (the plugin's options just parsed), for the project of
    the first path it was given, when the cache keeps no run of this code and configuration there
    (no gate table: a first run, an emptied cache): flake8 finds the files and checks the first
    ones meanwhile. After a run, the first file that needs analysis asks, as before: a run over
    code that changed a little (an editor's) starts no build it may not need. ``then``: what the
    child does once the result is stored (``_Project.build_ahead``). Never raises."""
    try:
        if not paths or is_stdin(paths[0]) or not config.project_reach or not config.cache:
            return
        first = paths[0]
        # A file of the directory stands for it: its root is the one the files in it find.
        filename = os.path.join(first, "__init__.py") if os.path.isdir(first) else first
        if stored_gate_table(filename, config) is None:
            _project_of(filename, config)[0].build_ahead(then, scan_first=True)
    except Exception:
        pass


def _can_fork() -> bool:
    """A fork that only runs this package's code: POSIX but not macOS (whose system libraries
    may not survive a fork without exec), and no other thread (one may hold a lock, the import
    lock included, that the child would wait for forever)."""
    return hasattr(os, "fork") and sys.platform != "darwin" and threading.active_count() == 1


_HELPERS: Dict[int, int] = {}  # child pid -> the pid of the process that started it


def _started(pid: int) -> None:
    if not _HELPERS:
        atexit.register(_stop_helpers)
    _HELPERS[pid] = os.getpid()


def _reap(pid: int) -> None:
    """Collect the child's exit if it has exited (else it stays listed)."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == 0:
            return
    except (OSError, ChildProcessError):
        pass
    _HELPERS.pop(pid, None)


def _stop_child(signum: int, frame: Any) -> None:
    raise SystemExit(1)


def _close(lock: Optional[Any]) -> None:
    if lock is not None:
        lock.close()


def _detach_stdio() -> None:
    """Point the child's stdin, stdout and stderr at /dev/null: a caller reading the run's output
    to its end must not wait for a child that outlives the run."""
    try:
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.close(null)
    except OSError:
        pass


def _stop_helpers(grace: float = 0.1) -> None:
    """At exit: a child still building or keeping findings ahead is of no use to this run any
    more (the next run builds again) and is stopped; one that finished is reaped, so that its time
    counts as this process's children's. A child writing the summaries holds the stop until they
    are written: after ``grace`` seconds it is left to end by itself."""
    for pid, parent in list(_HELPERS.items()):
        if parent != os.getpid():
            continue
        try:
            done, _status = os.waitpid(pid, os.WNOHANG)
            if done == 0:
                os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
        deadline = time.monotonic() + grace
        while pid in _HELPERS and time.monotonic() < deadline:
            _reap(pid)
            if pid in _HELPERS:
                time.sleep(0.005)
        _HELPERS.pop(pid, None)


_ROOTS: Dict[str, str] = {}  # directory -> its project root


def project_root(filename: str) -> Optional[str]:
    """The root of the project ``filename`` belongs to (``find_root``), None for stdin: for questions
    its own files answer (its requirements) without building its index."""
    return None if is_stdin(filename) else _root(filename)


def _root(filename: str) -> str:
    """``find_root`` of a file (not stdin), once per directory: every file of a run asks."""
    directory = os.path.dirname(os.path.abspath(filename))
    root = _ROOTS.get(directory)
    if root is None:
        root = _ROOTS[directory] = find_root(filename)
    return root


def clear() -> None:
    """Forget every index built in this process (the disk cache stays)."""
    _PROJECTS.clear()
    _ROOTS.clear()


def build_stats(filename: str, config: Config) -> Dict[str, object]:
    """For benchmarks: build the index for ``filename``'s project and say what it took (with the
    collector off, as ``project_reach`` and the child of ``build_ahead`` build it)."""
    root = find_root(filename)
    with collector.paused():
        start, cpu = time.perf_counter(), time.process_time()
        project = _Project(root, config)
        project.build()
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    tree = project.tree
    return {
        "root": root,
        "error": project.error,
        "seconds": seconds,
        "cpu": cpu,
        "files": len(tree.files) if tree else 0,
        "hinted": len(tree.hinted()) if tree else 0,
        "summaries": len(tree._summaries) if tree else 0,
        "parsed": tree.parsed if tree else 0,
        "handlers": len(project.handlers),
        "reached": len(project.reach.chains) if project.reach else 0,
        "on_loop": len(project.reach.loop) if project.reach else 0,
    }
