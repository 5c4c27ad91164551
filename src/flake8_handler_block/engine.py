"""gate -> one libcst parse -> one batched walk over all rules -> reach -> findings.

Nothing here raises to the caller: a file libcst cannot take, or an internal error,
yields one HB000 note (ignored by default) instead of aborting the lint run.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Set, Tuple, Type, Union

import libcst as cst

from . import catalog, collector, equivalents, gate
from .calls import single_line
from .config import Config
from .gate import GateTable
from .facts import Facts, Provider
from .project.index import findings_slot, keep_gate_table, project_reach
from .reach import ANYWHERE, ASYNC_HANDLER, EVERYWHERE, Reach
from .rule import Rule, RuleContext, Violation
from .rules import ALL_RULES
from . import names
from .scopes import (
    CallSite, ClassScope, FunctionScope, ModuleScope, ScopeCloser, ScopeCollector, WalkState,
)
from .positions import locate
from .walk import BatchedWalk

if TYPE_CHECKING:
    from .noqa import NoqaReading

Finding = Tuple[int, int, str]  # (line, column, "HBxxx message")

collector.built_long_lived()  # libcst and the rules, imported with this module, live for the run


@lru_cache(maxsize=32)
def gate_table(config: Config, rules: Tuple[Type[Rule], ...]) -> GateTable:
    """The words of ``rules`` for the gate (gate.py), as data."""
    extra = config.gate_words()
    unbound = (ANYWHERE, EVERYWHERE) if config.scope == "default" else (ANYWHERE,)

    def checks(selected: Sequence[Type[Rule]]) -> Tuple[Tuple[Tuple[str, ...], Tuple[str, ...]], ...]:
        found = [(tuple(rule.gate), tuple(rule.gate_requires)) for rule in selected if rule.gate]
        found += [(tuple(words), tuple(required)) for rule in selected for words, required in rule.gate_pairs]
        if extra:
            found.append((extra, ()))
        return tuple(found)

    return GateTable(
        checks([r for r in rules if r.scope not in unbound]),
        checks([r for r in rules if r.scope in unbound]),
        any(r.scope == ASYNC_HANDLER for r in rules),
    )


def may_hold_finding(text: str, filename: str, config: Config, rules: Tuple[Type[Rule], ...]) -> bool:
    """The cheap gate (gate.py) with the words of ``rules``: most files of a large tree stop
    here, before any parse."""
    return gate.may_hold_finding(text, filename, config, gate_table(config, rules))


def check_source(
    text: str,
    filename: str = "<unknown>",
    config: Optional[Config] = None,
    rules: Optional[Sequence[Type[Rule]]] = None,
    remember: bool = False,
    gated: bool = False,
) -> List[Finding]:
    """All findings for one file's text, sorted; never raises.

    ``remember``: findings are kept on disk (the project index's cache) and a file whose text,
    project, configuration and plugin code are all unchanged is not analysed again (the flake8
    plugin asks for it; the default rules only). ``gated``: the caller asked the gate with the
    default rules' words already, and it let the file through.
    """
    config = config or Config()
    rule_classes = tuple(rules) if rules is not None else ALL_RULES
    remember = remember and rules is None
    gated = gated and rules is None
    with collector.paused():  # a parse allocates a few hundred thousand short-lived, acyclic nodes
        return _check(text, filename, config, rule_classes, remember, gated)


def _check(
    text: str, filename: str, config: Config, rule_classes: Tuple[Type[Rule], ...], remember: bool = False,
    gated: bool = False,
) -> List[Finding]:
    slot = None
    try:
        if not gated and not may_hold_finding(text, filename, config, rule_classes):
            return []
        if remember:
            keep_gate_table(filename, config, gate_table(config, rule_classes).to_data())
        slot = findings_slot(filename, config, text) if remember else None
        kept = slot.load() if slot is not None else None
        if kept is not None:
            return kept
        module = cst.parse_module(text)
    except Exception as exc:  # libcst rejects what ast accepted, or a parser limit
        return [(1, 0, f"HB000 not analysed: libcst could not parse this file ({type(exc).__name__})")]
    try:
        found = _analyse(module, text, filename, config, rule_classes)
        if slot is not None:
            slot.store(found)
        return found
    except RecursionError:
        return [(1, 0, "HB000 not analysed: nesting too deep for the analysis")]
    except Exception as exc:  # a bug of ours must not abort the user's whole lint run
        return [(1, 0, f"HB000 not analysed: internal error {type(exc).__name__}: {exc}"[:200])]


def _analyse(
    module: cst.Module, text: str, filename: str, config: Config, rule_classes: Tuple[Type[Rule], ...]
) -> List[Finding]:
    found = _run_rules(module, filename, config, rule_classes, text)
    return sorted({(f.line, f.column, f.message) for f in _located(module, found, text)})


@dataclass(frozen=True)
class Located:
    """A finding with the violation (and so the node) behind it, for tools that rewrite code."""

    violation: Violation
    line: int
    column: int
    message: str  # "HBxxx ...", exactly as check_source reports it


def analyse_module(
    module: cst.Module,
    filename: str = "<unknown>",
    config: Optional[Config] = None,
    rules: Optional[Sequence[Type[Rule]]] = None,
) -> List[Located]:
    """The findings of an already parsed module with their nodes (no gate; may raise).

    ``check_source`` reports the same findings; ``violation.node`` is a node of ``module``.
    """
    rule_classes = tuple(rules) if rules is not None else ALL_RULES
    config = config or Config()
    return sorted(
        _located(module, _run_rules(module, filename, config, rule_classes)),
        key=lambda f: (f.line, f.column, f.message),
    )


def _run_rules(
    module: cst.Module, filename: str, config: Config, rule_classes: Tuple[Type[Rule], ...],
    text: Optional[str] = None,
) -> Tuple[RuleContext, Reach]:
    """``text``: the module's source when the caller has it (``module.code`` regenerates it: slow)."""
    module_scope = ModuleScope(filename)
    state = WalkState(module_scope)
    ctx = RuleContext(config, module_scope, state)
    rules = [cls(ctx) for cls in rule_classes]
    by_call: Dict[str, List[Rule]] = defaultdict(list)
    for rule in rules:
        for name in rule.calls:
            by_call[name].append(rule)
    state.call_names = frozenset(by_call)
    providers: Dict[type, Provider] = {}
    for rule in rules:
        for needed in rule.needs:
            if needed not in providers:
                providers[needed] = needed(state, config)
    collectors = [p.collected for p in providers.values() if p.collected is not None]

    BatchedWalk([ScopeCollector(state), *collectors, *rules, ScopeCloser(state)]).walk(module)

    reach = Reach(
        module_scope, config,
        project_reach(filename, config, module.code if text is None else text) if config.scope != "handlers" else None,
    )
    module_scope.outside = reach.project  # receivers from other modules, from here on (names.Outside)
    _add_factory_sites(module_scope, by_call)
    _add_called_value_sites(module_scope, by_call)
    _add_client_subclass_sites(module_scope, by_call)
    facts = Facts(config, module_scope, module, reach, providers)
    judged: Set[Tuple[int, int]] = set()  # a call kept under two names is judged once by each rule
    for site in module_scope.sites:
        for rule in by_call.get(site.name, ()):
            if (site.handed_by is None or rule.reads_handed_calls) and (id(site.node), id(rule)) not in judged:
                judged.add((id(site.node), id(rule)))
                rule.check_call(site, facts)
    for rule in rules:
        rule.finish(facts)
    return ctx, reach


def _add_factory_sites(module: ModuleScope, by_call: Dict[str, List[Rule]]) -> None:
    """``s = _create_session()``: a call of a module function that returns what a rule watches
    is judged like the constructor it wraps (the rule sees the outer call as the creation)."""
    produced: Dict[FunctionScope, Tuple[bool, Optional[names.Inst]]] = {}  # (a new value?, what every call makes)
    for site in module.local_calls:
        function = names.local_function(site.node.func, site.scope)
        if function is None:
            _add_imported_factory_site(module, site, by_call)
            continue
        if function not in produced:
            new = _returns_new_value(function)
            produced[function] = (new, names.returned(function, 0) if new else None)
        new, found = produced[function]
        if found is None and new:  # the call's literal arguments may pick one
            found = names.returned(function, 0, site.node)
        if found is not None and not found.declared:  # an annotation says the class, not who built it
            name = found.producer.rsplit(".", 1)[-1]
            if name in by_call:
                module.sites.append(CallSite(site.node, site.scope, site.block, name))


def _add_imported_factory_site(module: ModuleScope, site: CallSite, by_call: Dict[str, List[Rule]]) -> None:
    """``client = await get_authenticated_client()``, a function another module of the project
    defines that builds anew the client it returns (``Outside.made_fresh``): judged like the
    constructor it wraps, as a factory of this module is."""
    if module.outside is None or not isinstance(site.node.func, cst.Name):
        return
    found = names.resolve(site.node.func, site.scope)
    if not isinstance(found, names.Ref) or not module.outside.made_fresh(found.dotted):
        return
    made = names.called_result(site.node, site.scope)
    name = made.producer.rsplit(".", 1)[-1] if made is not None and not made.declared else None
    if name is not None and name in by_call:
        module.sites.append(CallSite(site.node, site.scope, site.block, name))


def _hands_back_a_new_value(function: FunctionScope, decorator: str) -> bool:
    """``decorator`` (resolved through imports) leaves what a call of ``function`` gives as its body
    returns it: ``staticmethod``, ``classmethod``, or a decorator of the project whose wrapper returns
    what a call of the function gives (the project index: ``passthrough.keeps_result``)."""
    if decorator in ("staticmethod", "classmethod"):
        return True
    outside = function.module.outside
    return bool(decorator) and outside is not None and outside.keeps_result(decorator)


def _add_client_subclass_sites(module: ModuleScope, by_call: Dict[str, List[Rule]]) -> None:
    """``RedirectValidatingSession(validator)``, a class of the module deriving from a client the
    rules watch (``requests.Session``), or ``HttpClient()``, a class of the project owning one
    (``names.project_client``): kept under the client's last name, for the rules that ask what a
    call builds (HB103: either holds a connection pool to close)."""
    found: Dict[Tuple[str, bool], Optional[str]] = {}
    for site in module.local_calls:
        func = site.node.func
        if not isinstance(func, cst.Name) or (func.value not in module.class_defs and module.outside is None):
            continue
        key = (func.value, bool(site.node.args))
        if key not in found:
            found[key] = names.project_client(site.node, site.scope, catalog.CLIENTS)[0]
        base = found[key]
        name = base.rsplit(".", 1)[-1] if base is not None else None
        if name is not None and name in by_call:
            module.sites.append(CallSite(site.node, site.scope, site.block, name))


def _add_called_value_sites(module: ModuleScope, by_call: Dict[str, List[Rule]]) -> None:
    """``method(url)`` where ``method`` is a parameter every call of the function fills with a
    library call the rules watch (``self._req(self._sess.get, url)``), or a local name bound to
    one: judged as that call, under its last name (the rules resolve the name to it)."""
    for site in module.local_calls:
        func = site.node.func
        if not isinstance(func, cst.Name) or names.local_function(func, site.scope) is not None:
            continue
        _, bounds = names.bindings_of(site.scope, func.value)
        if not bounds or any(bound.kind not in ("param", "value") for bound in bounds):
            continue  # imports, defs and classes are what they are: no library call hides there
        resolved = names.resolve(func, site.scope)
        if isinstance(resolved, names.Ref):
            name = resolved.dotted.rsplit(".", 1)[-1]
            if name in by_call:
                module.sites.append(CallSite(site.node, site.scope, site.block, name))
                module.called_values[id(site.node)] = resolved.dotted


def _returns_new_value(function: FunctionScope, depth: int = 0) -> bool:
    """Each ``return`` gives a value built in the call (``return Session()``, ``s = Session(); return s``),
    not one kept elsewhere (``return self.http``): only then does the caller own it. A decorator
    (``@lru_cache``) may hand out one shared value instead, also behind another helper of the
    module (``return _cached_session()``): then the caller owns nothing; not one of the project's
    that hands back what the function returns (``@trace_method``: ``_hands_back_a_new_value``)."""
    if depth > 4 or not all(_hands_back_a_new_value(function, name) for name in names.decorator_names(function)):
        return False
    values = list(function.returns)
    for value in values:
        if isinstance(value, cst.Await):
            value = value.expression
        if isinstance(value, cst.IfExp):  # `AsyncClient() if use_async else Client()`: each arm
            values.extend((value.body, value.orelse))
            continue
        if isinstance(value, cst.Name):
            bounds = function.bindings.get(value.value, [])
            if not bounds or any(b.kind != "value" or not isinstance(b.payload, cst.Call) for b in bounds):
                return False
            calls = [b.payload for b in bounds if isinstance(b.payload, cst.Call)]
        elif isinstance(value, cst.Call):
            calls = [value]
        else:
            return False
        for call in calls:
            helper = names.local_function(call.func, function)
            if helper is not None and not _returns_new_value(helper, depth + 1):
                return False
    return True


def _located(module: cst.Module, found: Tuple[RuleContext, Reach], text: Optional[str] = None) -> List[Located]:
    ctx, reach = found
    kept = [v for v in ctx._violations if reach.in_scope(v.scope, v.function)]
    if not kept:
        return []
    source = text if text is not None else module.code
    wanted = [(v.node, _top_level_node(v.function)) for v in kept]
    wanted += [(v.runs_with, _top_level_node(v.function)) for v in kept if v.runs_with is not None]
    positions = locate(module, wanted, source)
    reading = _equivalent_noqa(source) if reach.config.equivalent_noqa else None
    located = []
    for violation in kept:
        line, column = positions[id(violation.node)]
        if violation.at_line is not None and line != violation.at_line:
            continue
        if violation.function is None and violation.scope == EVERYWHERE and reach.module_code_is_tooling(line):
            continue
        if reach.never_runs(violation.scope, violation.function, line):
            continue
        runs_with = positions.get(id(violation.runs_with)) if violation.runs_with is not None else None
        if runs_with is not None and reach.never_runs(violation.scope, violation.function, runs_with[0]):
            continue  # what runs with it never runs: a loop under `if foreground:` every caller leaves False
        if reading is not None and equivalents.silenced_elsewhere(violation.code, reading.comment_texts(line)):
            continue  # the line silences another linter's same check: kept on purpose
        message = single_line(violation.text.replace("{where}", reach.where(violation.scope, violation.function)))
        located.append(Located(violation, line, column, f"{violation.code} {message}"))
    return located


def _equivalent_noqa(source: str) -> Optional["NoqaReading"]:
    """The text's comments, when they may silence another linter's same check (equivalents.py)."""
    if not equivalents.may_silence(source):
        return None
    from .noqa import NoqaReading  # flake8's reading of spans and comments; needed only here

    return NoqaReading(source)


def _top_level_node(function: Optional[FunctionScope]) -> Optional[cst.CSTNode]:
    """The def/class of the outermost scope around ``function`` (where to look for its nodes)."""
    if function is None:
        return None
    scope: Union[FunctionScope, ClassScope] = function
    while isinstance(scope.parent, (FunctionScope, ClassScope)):
        scope = scope.parent
    return scope.node
