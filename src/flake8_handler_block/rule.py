"""The rule base class, what a rule reports, and the context the engine hands it.

A rule is one self-contained class: code, message, where it looks (``scope``), a
cheap text gate, and its logic. Rules either visit nodes (``visit_*`` methods run in
the engine's single batched walk) or name the calls they care about in ``calls`` and
judge each in ``check_call`` once the whole module is known.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Callable, ClassVar, Dict, FrozenSet, Iterator, List, Mapping, Optional, Set, Tuple, Type, Union

import libcst as cst

from . import catalog, names
from .calls import MappingFacts, call_text, calls_named, is_none, keyword, missing_timeout, positional
from .config import Config
from .facts import Facts, Provider
from .fix.edits import Fixer
from .project.default_timeout import ProjectTimeouts
from .reach import ANYWHERE, ASYNC_HANDLER, EVERYWHERE, HANDLER
from .scopes import Batchable, CallSite, FunctionScope, ModuleScope, Scope, WalkState, passes_keywords

__all__ = ["ANYWHERE", "ASYNC_HANDLER", "EVERYWHERE", "HANDLER", "Rule", "RuleContext", "Violation", "imported"]


@dataclass
class Violation:
    code: str
    node: cst.CSTNode
    function: Optional[FunctionScope]
    text: str  # the message with {where} still to fill
    scope: str
    # Kept only if ``node`` starts on this line: a fact of the project index names a call by
    # its line and name, and several calls of a function may share the name.
    at_line: Optional[int] = None
    # Where `fix` passes the timeout when the catalogue cannot say (a call of the project's
    # wrapper): the keyword the wrapper takes it as, and its place among the positional arguments.
    fix_argument: Optional[Tuple[str, int]] = None
    # A call that runs whenever what is reported does (the first call of a loop's body): when a
    # parameter test rules its line out for every way a handler enters, the finding is dropped too.
    runs_with: Optional[cst.CSTNode] = None


@dataclass
class RuleContext:
    """What a rule may ask during the walk: settings, the scope being walked, names."""

    config: Config
    module: ModuleScope
    state: WalkState
    _violations: List[Violation] = field(default_factory=list)

    @property
    def function(self) -> Optional[FunctionScope]:
        """The function being walked (None at module level)."""
        return self.state.function

    @property
    def scope(self) -> Scope:
        return self.state.scope

    def callee(self, call: cst.Call, scope: Scope) -> Optional[str]:
        """Dotted target of a call (``requests.Session.get``), None when unknown."""
        return names.callee(call, scope)

    def resolve(self, expr: cst.BaseExpression, scope: Scope) -> Optional[names.Resolved]:
        return names.resolve(expr, scope)

    def producer(self, expr: cst.BaseExpression, scope: Scope) -> Optional[str]:
        """The dotted callable that produced the value of ``expr`` (its kind), if known."""
        found = names.resolve(expr, scope)
        return found.producer if isinstance(found, names.Inst) else None


def project_timeouts(facts: Facts) -> Optional[ProjectTimeouts]:
    """What the whole project says about timeouts, when the project index could read all of it."""
    reach = facts.reach.project
    return reach.timeouts.project if reach is not None and reach.complete else None


def package_says(facts: Facts, question: Callable[[ProjectTimeouts, str], bool]) -> bool:
    """A question about the top-level package of the module checked, asked of the whole project
    (``ProjectTimeouts.socket_default_set``, ``ldap_timeout_set``); False when it cannot be read."""
    project, reach = project_timeouts(facts), facts.reach.project
    return project is not None and reach is not None and question(project, reach.path)


def builds_subclass(call: cst.Call, target: Optional[str], module: ModuleScope, bases: FrozenSet[str],
                    derives: Callable[[str], bool]) -> bool:
    """``call`` builds one of ``bases`` (library classes) or a class of the project deriving from one
    with no ``__init__`` of its own on the way (where a timeout could be given): resolved
    (``target``, asked of the project with ``derives``), or a class of this module by its name."""
    if target is not None:
        if target.startswith(".") and module.outside is not None:  # `from .ipa import Client`
            target = module.outside.absolute(target) or target
        return target in bases or derives(target)
    func = call.func
    return isinstance(func, cst.Name) and _local_subclass(module, func.value, bases, derives, set())


def _local_subclass(module: ModuleScope, name: str, bases: FrozenSet[str], derives: Callable[[str], bool],
                    seen: Set[str]) -> bool:
    classes = module.class_defs.get(name, [])
    if len(classes) != 1 or name in seen:
        return False
    seen.add(name)
    cls = classes[0]
    if "__init__" in cls.methods:
        return False
    return any(
        catalog.canonical(base) in bases or derives(base)
        or ("." not in base and _local_subclass(module, base, bases, derives, seen))
        for base in names.base_names(cls)
    )


def imported(*modules: str) -> Tuple[str, ...]:
    """Gate words for "the module imports one of these": `import m`, `from m`, `import x, m`."""
    return tuple(word for module in modules for word in (f"import {module}", f"from {module}", f", {module}"))


class _Current(enum.Enum):
    """report()'s default: "the function being walked" (None already means module level)."""

    FUNCTION = "current function"


CURRENT = _Current.FUNCTION


class Rule(Batchable):
    """Base of every rule; subclasses set the class attributes and a docstring.

    The docstring is the rule's documentation, with the sections
    ``What it does``, ``Why is this bad?``, ``Example``, ``Use instead``
    and optionally ``Options``.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    message: ClassVar[str]  # str.format template; {where} is filled by the engine
    scope: ClassVar[str] = HANDLER
    # Substrings: a file containing none of them cannot hold a finding (checked before parsing).
    gate: ClassVar[Tuple[str, ...]] = ()
    gate_requires: ClassVar[Tuple[str, ...]] = ()  # ...and all of these must appear too
    # More ways in, each (any of these, and all of those): a word too common alone, with the
    # word the call cannot be resolved without (``create_connection`` with ``socket``).
    gate_pairs: ClassVar[Tuple[Tuple[Tuple[str, ...], Tuple[str, ...]], ...]] = ()
    # Last names of calls for check_call; a rule may widen it per instance from the configuration.
    calls: FrozenSet[str] = frozenset()
    # Also given the calls that hand-offs make in a worker thread (``CallSite.handed_by``)
    reads_handed_calls: ClassVar[bool] = False
    needs: ClassVar[Tuple[Type[Provider], ...]] = ()  # module facts it reads (built by the engine)
    fixer: ClassVar[Optional[Fixer]] = None  # the safe rewrite `flake8-handler-block fix` applies
    fixable: ClassVar[bool] = False  # derived from ``fixer``
    fix_default_timeout: ClassVar[str] = ""  # the timeout the fix writes, as source text, for rules that add one

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls.fixable = cls.fixer is not None

    def __init__(self, ctx: RuleContext) -> None:
        super().__init__()
        self.ctx = ctx

    def check_call(self, site: CallSite, facts: Facts) -> None:
        """Judge one call whose last name is in ``calls`` (module facts are complete)."""

    def finish(self, facts: Facts) -> None:
        """Called once after the walk and after every ``check_call``."""

    def report(
        self, node: cst.CSTNode, function: Union[FunctionScope, None, _Current] = CURRENT, **fields: object
    ) -> None:
        """Record a finding at ``node`` in ``function`` (default: the one being walked).

        ``{where}`` in the message is filled by the engine, which also drops findings
        outside the rule's scope.
        """
        if function is CURRENT:
            function = self.ctx.function
        meant = self.ctx.module.called_values.get(id(node))
        if meant is not None and "call" in fields:
            fields["call"] = f"{fields['call']}() as {meant}"  # `method()` as requests.Session.get()
        node = self.ctx.module.handed.get(id(node), node)  # a call a hand-off makes is found on the hand-off
        text = self.message.format(where="{where}", **fields)
        self.ctx._violations.append(Violation(self.code, node, function, text, self.scope))

    def report_on_line(self, node: cst.CSTNode, function: Optional[FunctionScope], line: int, **fields: object) -> None:
        """``report``, kept only if ``node`` starts on ``line`` (the project index names calls by line)."""
        self.report(node, function, **fields)
        self.ctx._violations[-1].at_line = line


WrapperCall = Tuple[int, str, str, int, str, str, bool]  # project.index.ModuleReach.forwarding_calls


def wrapper_calls_untimed(
    facts: Facts, wanted: Callable[[str, bool], bool]
) -> Iterator[Tuple[FunctionScope, cst.Call, WrapperCall, Optional[cst.BaseExpression]]]:
    """The calls in this module of the project's wrappers that pass on to a catalogue call the
    timeout their callers give (``ModuleReach.forwarding_calls``, those ``wanted(api, by_param)``
    keeps) and that give none: each with its function, the wrapper's entry and what it gives for the
    timeout (None: nothing; else a literal ``None``). A call with ``*args``/``**kwargs`` may give it."""
    project = facts.reach.project
    if project is None:
        return
    for function in facts.module.functions:
        calls = [c for c in project.forwarding_calls(function.index_name) if wanted(c[2], c[6])]
        if not calls:
            continue
        for node, name in calls_named(function.node, {c[1] for c in calls}):
            if any(arg.star for arg in node.args):
                continue  # maybe given through *args / **kwargs
            for entry in calls:
                _line, called, _api, params, _text, given_as, _by_param = entry
                if called != name:
                    continue
                values = positional(node)
                given = keyword(node, given_as)
                if given is None and len(values) > params:
                    given = values[params]
                if given is None or is_none(given):  # else a timeout given, by keyword or in its place
                    yield function, node, entry, given


def timeout_positions(family: str) -> Dict[str, Optional[int]]:
    """Callee -> positional index of its timeout, for one family of the API catalogue."""
    return {callee: api.timeout.index for callee, api in catalog.family(family).items() if api.timeout is not None}


def runs_at_import(site: CallSite, callee: str, config: Config) -> bool:
    """A call of module-level code that waits as it runs (``BRANDING = requests.get(URL).json()``):
    it runs once, at import. A stall there stops the start-up, where it is seen at once, and holds
    no request: left to ``scope = "all"``. A client built there (``HTTPSConnection(host)``) is
    not: the requests that use it later wait."""
    return runs_once_at_import(site.function, config) and waits_when_called(site.node, callee)


def runs_once_at_import(function: Optional[FunctionScope], config: Config) -> bool:
    """Code of the module itself, run once as it is imported: a wait there stalls the start-up, where
    it is seen at once, and holds no request (left to ``scope = "all"``)."""
    return function is None and config.scope != "all"


def waits_when_called(call: cst.Call, callee: str) -> bool:
    """The call itself waits on the network or a child (``requests.get()``, ``urlopen()``,
    ``smtplib.SMTP(host)``), rather than building a client whose later calls do
    (``http.client.HTTPConnection(host)``, ``smtplib.SMTP()``)."""
    api = catalog.APIS.get(callee)
    blocking = api.blocking if api is not None else None
    return blocking is not None and not connects_later(call, blocking)


def connects_later(call: cst.Call, blocking: catalog.Blocking) -> bool:
    """A client constructor that connects only when given a host, given none: ``smtplib.SMTP()``
    connects at ``connect()``."""
    return blocking.connects_with_host and not positional(call) and keyword(call, "host") is None


class MissingTimeoutRule(Rule):
    """A rule about calls that take a ``timeout``: set ``timeouts`` (callee -> its position).
    It also judges the calls hand-offs make in a worker thread (``to_thread(subprocess.run, cmd)``):
    the request waits for them as long."""

    reads_handed_calls: ClassVar[bool] = True

    timeouts: ClassVar[Mapping[str, Optional[int]]] = {}
    fix_text: ClassVar[str] = "pass timeout=<seconds>"  # ``{fix}`` in the message, unless a finding says otherwise
    # `**KWARGS` of a dict the module shows in full is read like a literal
    needs: ClassVar[Tuple[Type[Provider], ...]] = (MappingFacts,)

    def check_call(self, site: CallSite, facts: Facts) -> None:
        target = self.ctx.callee(site.node, site.scope)
        if target is None or target not in self.timeouts:
            return
        if runs_at_import(site, target, self.ctx.config):
            return
        self.judge_timeout(site, self.timeouts[target], facts)

    def judge_forwarded(self, facts: Facts) -> None:
        """Calls of the project's wrappers that pass no timeout, where the wrapper passes on to one
        of ``timeouts`` the timeout its callers give, if any: its keywords
        (``def get(url, **kw): return requests.get(url, **kw)``) or a timeout parameter whose
        default gives none (``def get(url, timeout=None): return requests.get(url, timeout=timeout)``).
        Asked of the project index, for every function (reached or not)."""
        for function, node, (line, _called, _api, params, text, given_as, _by_param), given in wrapper_calls_untimed(
                facts, lambda api, _by_param: api in self.timeouts):
            if self.forwarded_at_once(node, function):
                continue
            passed = "no timeout" if given is None else f"{given_as}=None"
            problem = f"passes {passed} on to {text}"
            fix = self.fix_text.replace("timeout=", f"{given_as}=", 1)  # the wrapper's own name for it
            self.report_on_line(node, function, line, call=call_text(node), problem=problem, fix=fix)
            self.ctx._violations[-1].fix_argument = (given_as, params)

    def forwarded_at_once(self, node: cst.Call, function: FunctionScope) -> bool:
        """A wrapper's call whose own arguments say the wait ends at once (HB204: a command that
        asks the program about itself, ``run_cmd(["which", "ffmpeg"])``)."""
        return False

    def report(
        self, node: cst.CSTNode, function: Union[FunctionScope, None, _Current] = CURRENT, **fields: object
    ) -> None:
        fields.setdefault("fix", self.fix_text)
        hand_off = self.ctx.module.handed.get(id(node))
        if hand_off is not None and not passes_keywords(hand_off):
            fields["fix"] = f"{fields['fix']} through functools.partial(...)"  # run_in_executor() takes no keywords
        super().report(node, function, **fields)

    def judge_timeout(
        self, site: CallSite, index: Optional[int], facts: Facts, fix_argument: Optional[Tuple[str, int]] = None
    ) -> None:
        """Report ``site`` when it lacks its timeout (``index``: its place among the positionals);
        ``fix_argument``: where `fix` passes it, when the catalogue cannot say (keyword, place)."""
        problem = missing_timeout(site.node, index, facts[MappingFacts])
        if problem:
            self.report(site.node, site.function, call=call_text(site.node), problem=problem)
            self.ctx._violations[-1].fix_argument = fix_argument
