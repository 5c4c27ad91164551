"""The one answer to "can running this node raise (and so skip the code after it)?".

Used by the completion-signal rules (HB401-HB403: something between ``get()`` and
``task_done()``) and by the ownership analysis (HB101/HB102/HB503: something between
creating a response and closing it), so both judge the same code the same way.
"""

from __future__ import annotations

import libcst as cst

from .names import dotted_name, last_name

# Calls that do not raise in practice: builtins that only inspect, and logging.
SAFE_CALLS = frozenset({"len", "isinstance", "print", "str", "repr", "bool", "id", "type", "callable"})
_LOG_ROOTS = (
    "log", "logger", "logging", "LOG", "LOGGER", "_log", "_logger", "_LOGGER", "log_",
    "self.log", "self.logger", "self._log", "self._logger",
)
_LOG_PREFIXES = tuple(root + "." for root in _LOG_ROOTS)
# Methods of builtin containers, strings and clocks that do not raise in practice.
SAFE_METHODS = frozenset(
    {
        "get", "append", "appendleft", "items", "keys", "values", "format", "startswith", "endswith",
        "strip", "lower", "upper", "copy", "qsize", "empty", "full", "is_set", "monotonic", "time",
        "perf_counter", "setdefault", "discard", "clear",
    }
)
_RAISING_OPERATORS = (cst.Divide, cst.FloorDivide, cst.Modulo)


def raises_here(node: cst.CSTNode, receiver: str = "", container_methods_safe: bool = True) -> bool:
    """Whether evaluating ``node`` itself (not its children) can raise.

    ``receiver`` names the object under study (``wg``, ``self.lock``): its own methods
    (``wg.add()``) are the protocol being checked, not a risk. ``container_methods_safe``
    trusts ``x.get()``, ``x.items()``...: right for primitives, where ``x`` is a dict or
    a list; wrong for responses and clients, whose ``get()`` is network I/O.
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
        return not (receiver and text.startswith(receiver + "."))
    if isinstance(node, cst.Subscript):
        return True  # KeyError, IndexError
    return isinstance(node, cst.BinaryOperation) and isinstance(node.operator, _RAISING_OPERATORS)


def is_logging_call(node: cst.CSTNode) -> bool:
    """``log.info(...)``: its arguments are evaluated, but nothing in it raises in practice."""
    return isinstance(node, cst.Call) and (dotted_name(node.func) or "").startswith(_LOG_PREFIXES)
