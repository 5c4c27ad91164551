"""The one answer to "can running this node raise (and so skip the code after it)?".

Used by the completion-signal rules (HB401-HB403: something between ``get()`` and
``task_done()``) and by the ownership analysis (HB101/HB102/HB503: something between
creating a response and closing it), so both judge the same code the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import libcst as cst

from .names import assigned_value, dotted_name, last_name

if TYPE_CHECKING:
    from .scopes import Scope

# Calls that do not raise in practice: builtins that only inspect, and logging; scheduling a task
# on the running loop (only a call from outside any loop raises, which a first run shows).
SAFE_CALLS = frozenset(
    {"len", "isinstance", "print", "str", "repr", "bool", "id", "type", "callable", "unicodedata.normalize",
     "asyncio.create_task", "asyncio.ensure_future"}
)
# Builtin containers: built empty (no arguments), they cannot raise.
_EMPTY_BUILDERS = frozenset({"dict", "list", "set", "tuple", "frozenset"})
# Number conversions: of a true division (a float), they cannot raise in practice.
_NUMBER_CONVERSIONS = frozenset({"int", "float", "round"})
_LOG_ROOTS = (
    "log", "logger", "logging", "LOG", "LOGGER", "_log", "_logger", "_LOGGER", "log_",
    "self.log", "self.logger", "self._log", "self._logger",
)
_LOG_PREFIXES = tuple(root + "." for root in _LOG_ROOTS)
# Methods of builtin containers, strings, clocks and the event loop's scheduler that do not
# raise in practice (`loop.call_later()` only files a callback).
SAFE_METHODS = frozenset(
    {
        "get", "append", "appendleft", "items", "keys", "values", "format", "startswith", "endswith",
        "strip", "lower", "upper", "casefold", "copy", "qsize", "empty", "full", "is_set", "monotonic", "time",
        "perf_counter", "setdefault", "discard", "clear", "call_soon", "call_later", "call_at",
    }
)
_RAISING_OPERATORS = (cst.Divide, cst.FloorDivide, cst.Modulo)


def raises_here(
    node: cst.CSTNode, receiver: str = "", container_methods_safe: bool = True, scope: Optional["Scope"] = None
) -> bool:
    """Whether evaluating ``node`` itself (not its children) can raise.

    ``receiver`` names the object under study (``wg``, ``self.lock``): its own methods
    (``wg.add()``) are the protocol being checked, not a risk. ``container_methods_safe``
    trusts ``x.get()``, ``x.items()``...: right for primitives, where ``x`` is a dict or
    a list; wrong for responses and clients, whose ``get()`` is network I/O. ``scope``,
    where ``node`` is written, lets a divisor named by a constant count as its number.
    """
    if isinstance(node, (cst.Await, cst.Raise, cst.Assert, cst.Yield)):
        return True
    if isinstance(node, cst.Call):
        text = dotted_name(node.func) or ""
        if text.startswith(_LOG_PREFIXES):
            return False  # logging does not raise in practice
        if text in SAFE_CALLS or (container_methods_safe and last_name(node.func) in SAFE_METHODS):
            return False
        if container_methods_safe and last_name(node.func) == "pop" and len(node.args) == 2:
            return False  # d.pop(key, default) never raises KeyError
        if text in _EMPTY_BUILDERS and not node.args:
            return False  # dict(), list(): an empty container
        if text in _NUMBER_CONVERSIONS and _converts_a_quotient(node):
            return False  # int(elapsed / 1e9): a float made a number again
        return not (receiver and text.startswith(receiver + "."))
    if isinstance(node, cst.Subscript):
        return True  # KeyError, IndexError
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, _RAISING_OPERATORS):
        # ZeroDivisionError, unless the divisor is a non-zero number (`/ 10**9`, `% REPORT_EVERY`
        # with `REPORT_EVERY = 100`); `%` also formats strings, which can raise whatever the
        # right side is, so a left side that may be a format string keeps it raising.
        if not _nonzero_number(_number_named(node.right, scope)):
            return True
        return isinstance(node.operator, cst.Modulo) and _maybe_text(node.left)
    return False


def _number_named(expr: cst.BaseExpression, scope: Optional["Scope"]) -> cst.BaseExpression:
    """The value of a name bound once, to a number, in the module or a function around
    ``scope`` (``REPORT_EVERY = 100``); otherwise ``expr`` itself."""
    return assigned_value(expr, scope)[0] if scope is not None else expr


def _maybe_text(expr: cst.BaseExpression) -> bool:
    """A left operand of ``%`` that may be a format string: anything but a name, an
    attribute or a number (`count % EVERY` counts; `"%s" % x` and `(a + b) % n` are unknown)."""
    return not isinstance(expr, (cst.Name, cst.Attribute, cst.Integer, cst.Float))


def _nonzero_number(expr: cst.BaseExpression) -> bool:
    """A number literal other than zero, or a product or power of such (``1000``, ``1e9``, ``10**9``)."""
    if isinstance(expr, (cst.Integer, cst.Float)):
        return expr.evaluated_value != 0
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
        return _nonzero_number(expr.expression)
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, (cst.Multiply, cst.Power)):
        return _nonzero_number(expr.left) and _nonzero_number(expr.right)
    return False


def _converts_a_quotient(call: cst.Call) -> bool:
    """``int(x / y)``, ``round(x / y, 2)``: the argument is a true division, so a float
    (its own division is judged on its own)."""
    first = call.args[0].value if call.args and not call.args[0].star and call.args[0].keyword is None else None
    return isinstance(first, cst.BinaryOperation) and isinstance(first.operator, cst.Divide)


def is_logging_call(node: cst.CSTNode) -> bool:
    """``log.info(...)``: its arguments are evaluated, but nothing in it raises in practice."""
    return isinstance(node, cst.Call) and (dotted_name(node.func) or "").startswith(_LOG_PREFIXES)
