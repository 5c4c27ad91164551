"""Reading a call's arguments: keywords, positionals, ``*args`` and ``**kwargs``."""

from __future__ import annotations

from typing import Optional

import libcst as cst

from .names import dotted_name

PRESENT, MISSING, NONE = "present", "missing", "none"

_EMPTY_MODULE = cst.Module(body=[])


def is_none(expr: Optional[cst.BaseExpression]) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"


def is_false(expr: Optional[cst.BaseExpression]) -> bool:
    if isinstance(expr, cst.Name):
        return expr.value == "False"
    return isinstance(expr, cst.Integer) and expr.value == "0"


def positional(call: cst.Call) -> list:
    """Values passed by position, up to the first ``*args``."""
    values = []
    for arg in call.args:
        if arg.star or arg.keyword is not None:
            break
        values.append(arg.value)
    return values


def has_star(call: cst.Call) -> bool:
    return any(arg.star == "*" for arg in call.args)


def keyword(call: cst.Call, name: str) -> Optional[cst.BaseExpression]:
    """The value of ``name=...``, also found in a literal ``**{"name": ...}``."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
        if arg.star == "**" and isinstance(arg.value, cst.Dict):
            for element in arg.value.elements:
                if isinstance(element, cst.DictElement) and _string_value(element.key) == name:
                    return element.value
    return None


def forwards_unknown_kwargs(call: cst.Call) -> bool:
    """``**kwargs`` whose keys we cannot see (a literal dict is seen through)."""
    return any(arg.star == "**" and not isinstance(arg.value, cst.Dict) for arg in call.args)


def argument(call: cst.Call, name: str, index: Optional[int] = None) -> Optional[cst.BaseExpression]:
    """The value passed for parameter ``name`` (by keyword, or at position ``index``), if visible."""
    value = keyword(call, name)
    if value is None and index is not None:
        values = positional(call)
        if len(values) > index:
            value = values[index]
    return value


def does_not_block(call: cst.Call, index: Optional[int]) -> bool:
    """A literal false ``block``/``blocking`` flag (``q.get(False)``, ``lock.acquire(blocking=False)``)."""
    if index is None:
        return False
    flag = keyword(call, "block")
    if flag is None:
        flag = argument(call, "blocking", index)
    return is_false(flag)


def is_zero(expr: Optional[cst.BaseExpression]) -> bool:
    return isinstance(expr, (cst.Integer, cst.Float)) and float(expr.value.replace("_", "")) == 0


def argument_state(call: cst.Call, name: str, index: Optional[int] = None) -> str:
    """PRESENT, MISSING, or NONE (passed as the literal None) for keyword ``name``.

    ``index`` is the parameter's position when it may be passed positionally. An
    unseen ``*args`` or ``**kwargs`` may carry it: that counts as PRESENT, since an
    unknown is never reported.
    """
    value = keyword(call, name)
    if value is None and index is not None:
        values = positional(call)
        if len(values) > index:
            value = values[index]
        elif has_star(call):
            return PRESENT
    if value is None:
        return PRESENT if forwards_unknown_kwargs(call) else MISSING
    return NONE if is_none(value) else PRESENT


def missing_timeout(call: cst.Call, index: Optional[int] = None) -> Optional[str]:
    """How a call lacks its ``timeout`` (the words for the message), or None when it has one."""
    state = argument_state(call, "timeout", index)
    if state == MISSING:
        return "has no timeout"
    if state == NONE:
        return "passes timeout=None"
    return None


def _string_value(expr: Optional[cst.BaseExpression]) -> Optional[str]:
    if isinstance(expr, cst.SimpleString):
        text = expr.evaluated_value
        return text if isinstance(text, str) else None
    return None


def call_text(call: cst.Call) -> str:
    """The callee as written (``session.get``), for messages."""
    name = dotted_name(call.func)
    if name is not None:
        return name
    text = _EMPTY_MODULE.code_for_node(call.func)
    return text if len(text) <= 60 else text[:57] + "..."
