"""Module summaries to and from JSON-ready lists.

Positional lists rather than dicts: a summary is read many times and written once,
and field names would triple its size. ``decode`` checks types as it goes; anything
malformed raises ``ValueError`` (a cache entry that fails is simply not used).
JSON rather than pickle or marshal: a cache directory can come from anywhere, and
reading it must not be able to run code or crash the interpreter.
"""

from __future__ import annotations

from typing import Any, List, Optional, Tuple

from ..handlers import Base, ClassFacts, Decorator, FunctionFacts, ModuleFacts, Registration, ViewRef
from .default_timeout import ClassTimeouts, RequestsTimeouts
from .summary import ClassSummary, Edge, Forward, FunctionSummary, ModuleSummary, Sym

Data = List[Any]
_MAX_ARGS = 15  # Edge.args kept (more counts as this many): four bits of an edge's flags


def encode(summary: ModuleSummary) -> Data:
    facts = summary.facts
    return [
        summary.module,
        summary.path,
        int(summary.is_package),
        summary.error,
        [_function_facts(f) for f in facts.functions],
        [_class_facts(c) for c in facts.classes],
        [_registration(r) for r in facts.registrations],
        sorted(facts.imported_packages),
        [
            [[_edge(e) for e in f.edges], _sym(f.returns), int(f.offloaded), int(f.generator),
             int(f.command) | int(f.main_called) << 1 | int(f.once) << 2 | int(f.keeps_result) << 3 | int(f.fresh) << 4,
             [[_sym(w.callee), w.line, w.positional, int(w.stars), w.param, int(w.written)] for w in f.forwards],
             list(f.unplaced),
             list(f.flag_defaults), list(f.required), [[param, how] for param, how in f.hands],
             [_sym(item) for item in f.unpacked]]
            for f in summary.functions
        ],
        [[[_sym(b) for b in c.bases], [[name, _sym(s)] for name, s in c.attrs], list(c.named), list(c.fields)]
         for c in summary.classes],
        [[name, _sym(s)] for name, s in summary.names],
        list(summary.main_guard),
        _timeouts(summary.requests_timeouts),
        [_edge(e) for e in summary.module_edges],
    ]


def decode(data: Data) -> ModuleSummary:
    try:
        return _decode(data)
    except (TypeError, ValueError, IndexError, KeyError, AttributeError) as exc:
        raise ValueError(f"malformed summary: {exc}") from None


def _decode(data: Data) -> ModuleSummary:
    (
        module, path, is_package, error, functions, classes, registrations, packages, summaries, class_summaries, names,
        guard, timeouts, module_edges,
    ) = data
    facts = ModuleFacts(
        _str(path),
        tuple(_read_function(key, f) for key, f in enumerate(functions)),
        tuple(_read_class(key, c) for key, c in enumerate(classes)),
        tuple(_read_registration(r) for r in registrations),
        frozenset(_str(p) for p in packages),
    )
    function_summaries = tuple(
        FunctionSummary(
            tuple([_read_edge(e) for e in edges]), _read_sym(returns), bool(offloaded), bool(generator),
            bool(command & 1),
            tuple([Forward(_sym_required(c), int(ln), int(p), bool(st), _str(pa), bool(wr))
                   for c, ln, p, st, pa, wr in forwards]),
            _strs(unplaced), _strs(flag_defaults), bool(command & 2), _strs(required),
            tuple([(_str(param), _str(how)) for param, how in hands]), bool(command & 4),
            tuple([_read_sym(item) for item in unpacked]), bool(command & 8), bool(command & 16),
        )
        for edges, returns, offloaded, generator, command, forwards, unplaced, flag_defaults, required, hands, unpacked
        in summaries
    )
    if len(function_summaries) != len(facts.functions) or len(class_summaries) != len(facts.classes):
        raise ValueError("summaries do not match the facts")
    classes_out = tuple(
        ClassSummary(tuple(_read_sym(b) for b in bases), tuple((_str(n), _sym_required(s)) for n, s in attrs),
                     _strs(named), _strs(fields))
        for bases, attrs, named, fields in class_summaries
    )
    start, end = guard
    return ModuleSummary(
        _str(module), _str(path), bool(is_package), _str(error), facts, function_summaries, classes_out,
        tuple((_str(n), _sym_required(s)) for n, s in names), (int(start), int(end)), _read_timeouts(timeouts),
        tuple(_read_edge(e) for e in module_edges),
    )


# -- pieces ------------------------------------------------------------------------

def _sym(sym: Optional[Sym]) -> Optional[Data]:
    return None if sym is None else [sym.kind, sym.target, *sym.path]


def _read_sym(data: Optional[Data]) -> Optional[Sym]:
    if data is None:
        return None
    kind, target, *path = data
    if type(kind) is not str or type(target) is not str:
        raise ValueError("expected a string")
    return Sym(kind, target, _strs(path))


def _sym_required(data: Data) -> Sym:
    sym = _read_sym(data)
    if sym is None:
        raise ValueError("missing symbol")
    return sym


def _edge(edge: Edge) -> Data:
    flags = (int(edge.quiet) | int(edge.hostless) << 1 | int(edge.deadline) << 2 | edge.timeout << 3
             | int(edge.iterated) << 5 | min(edge.args, _MAX_ARGS) << 6 | int(edge.dropped) << 10
             | int(edge.teardown) << 11 | int(edge.awaited) << 12)
    return [edge.how, edge.line, flags, edge.guard, list(edge.flags), edge.callee.kind, edge.callee.target,
            *edge.callee.path]


def _read_edge(data: Data) -> Edge:
    # The hottest reader (most of a summary's entries): strings checked in place.
    how, line, flags, guard, literals, kind, target, *path = data
    if type(how) is not str or type(guard) is not str or type(kind) is not str or type(target) is not str:
        raise ValueError("expected a string")
    callee = Sym(kind, target, _strs(path))
    bits = int(flags)
    return Edge(how, callee, int(line), bool(bits & 1), bool(bits & 2), guard,
                _strs(literals), bool(bits & 4), bool(bits & 32), bits >> 3 & 3, bits >> 6 & _MAX_ARGS,
                bool(bits & 1024), bool(bits & 2048), bool(bits & 4096))


def _decorator(d: Decorator) -> Data:
    return [d.written, d.full, int(d.called) | int(d.labelled) << 1, d.shape, d.receiver]


def _read_decorator(data: Data) -> Decorator:
    written, full, called, shape, receiver = data
    return Decorator(_str(written), _str(full), bool(called & 1), _str(shape), _str(receiver), bool(called & 2))


def _function_facts(f: FunctionFacts) -> Data:
    return [
        f.name, f.qualname, f.line, int(f.is_async), list(f.params), list(f.positional), int(f.star_args),
        int(f.star_kwargs), [_decorator(d) for d in f.decorators], f.cls, f.parent_function, int(f.top_level),
        f.request_class,
    ]


def _read_function(key: int, data: Data) -> FunctionFacts:
    (name, qualname, line, is_async, params, positional, star_args, star_kwargs, decorators, cls, parent, top,
     typed) = data
    return FunctionFacts(
        key, _str(name), _str(qualname), int(line), bool(is_async), _strs(params),
        _strs(positional), bool(star_args), bool(star_kwargs),
        tuple([_read_decorator(d) for d in decorators]), _opt_int(cls), _opt_int(parent), bool(top), _str(typed),
    )


def _class_facts(c: ClassFacts) -> Data:
    return [
        c.name, c.qualname, c.line, [[b.written, b.full, b.local] for b in c.bases],
        [_decorator(d) for d in c.decorators], [[name, list(keys)] for name, keys in c.methods], int(c.top_level),
    ]


def _read_class(key: int, data: Data) -> ClassFacts:
    name, qualname, line, bases, decorators, methods, top = data
    return ClassFacts(
        key, _str(name), _str(qualname), int(line),
        tuple(Base(_str(w), _str(f), _str(loc)) for w, f, loc in bases),
        tuple(_read_decorator(d) for d in decorators),
        tuple((_str(n), tuple(int(k) for k in keys)) for n, keys in methods),
        bool(top),
    )


def _timeouts(t: RequestsTimeouts) -> Data:
    return [list(t.patched), [[c.qualname, list(c.covers), list(c.bases)] for c in t.classes],
            [list(f) for f in t.functions]]


def _read_timeouts(data: Data) -> RequestsTimeouts:
    patched, classes, functions = data
    return RequestsTimeouts(
        tuple(_str(p) for p in patched),
        tuple(
            ClassTimeouts(_str(q), tuple(_str(c) for c in covers), tuple(_str(b) for b in bases))
            for q, covers, bases in classes
        ),
        tuple((_str(q), _str(kind)) for q, kind in functions),
    )


def _view(v: Optional[ViewRef]) -> Optional[Data]:
    return None if v is None else [v.kind, v.name, v.full, _view(v.inner), v.instance_of]


def _read_view(data: Optional[Data]) -> Optional[ViewRef]:
    if data is None:
        return None
    kind, name, full, inner, instance_of = data
    return ViewRef(_str(kind), _str(name), _str(full), _read_view(inner), _str(instance_of))


def _registration(r: Registration) -> Data:
    return [
        r.callee, r.full, int(r.bare), [_view(a) for a in r.args], [[k, _view(v)] for k, v in r.keywords], r.function,
        r.line, r.receiver, int(r.route),
    ]


def _read_registration(data: Data) -> Registration:
    callee, full, bare, args, keywords, function, line, receiver, route = data
    return Registration(
        _str(callee), _str(full), bool(bare), tuple(_view_required(a) for a in args),
        tuple((_str(k), _view_required(v)) for k, v in keywords), _opt_int(function), int(line), _str(receiver),
        bool(route),
    )


def _view_required(data: Data) -> ViewRef:
    view = _read_view(data)
    if view is None:
        raise ValueError("missing view")
    return view


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {type(value).__name__}")
    return value


def _strs(values: Any) -> Tuple[str, ...]:
    """``tuple(_str(v) for v in values)``, faster: the common case of a short list of strings."""
    found = tuple(values)
    for value in found:
        if not isinstance(value, str):
            raise ValueError(f"expected a string, got {type(value).__name__}")
    return found


def _opt_int(value: object) -> Optional[int]:
    if value is None:
        return None
    if not isinstance(value, int):
        raise ValueError(f"expected an integer, got {type(value).__name__}")
    return value
