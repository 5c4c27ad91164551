"""The parameter tests a call runs under, and whether what a caller passes rules one out.

A call inside ``if flag:`` runs under the guard "flag" (its ``else``: "!flag"); one inside
``if mode == Mode.LOGIN:`` under "mode~Mode.LOGIN" (its ``else``, or ``!=``: "!mode~Mode.LOGIN").
What a function is entered with is written the same way: ``flag=False`` is "!flag", a default of
``None`` "!flag" too, ``mode=Mode.SHELL`` (passed, or the default) "mode~Mode.SHELL". A caller
rules a guard out when it gives the opposite flag, or for an equality a value known to differ:
another member of the same enum-like class, another string or integer written out. A value of
another kind (a string against a member) or of another class may still be equal: it rules
nothing out.
"""

from __future__ import annotations

import ast
import re
from typing import FrozenSet, Optional, Set, Tuple

EQUALS = "~"  # "mode~Mode.LOGIN": the parameter holds (or is tested against) that value
_PLAIN_TEXT = re.compile(r"[\w.\-]*")  # a string value kept as written (never the flags' own separators)
_STRING, _INTEGER, _MEMBER = "string", "integer", "member"
# An order test of a parameter against an integer written out (``attempts > 1``), and its mirror when
# the integer comes first (``1 < attempts``)
_ORDERS = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">="}
_MIRRORED = {ast.Lt: ast.Gt(), ast.LtE: ast.GtE(), ast.Gt: ast.Lt(), ast.GtE: ast.LtE()}
_ORDER_SIGNS = ("<", ">")
_COMPARE = {"<": int.__lt__, "<=": int.__le__, ">": int.__gt__, ">=": int.__ge__}


def guard_param(guard: str) -> str:
    """The parameter a guard or a flag is about: "flag", "!flag", "mode~'x'", "!mode~'x'", "?flag" (given
    a value of unknown kind) -> its name."""
    return guard.lstrip("!?").partition(EQUALS)[0]


def value_key(value: Optional[ast.expr]) -> Optional[str]:
    """A value whose equality with another such value can be told from the text: a string of plain
    characters or an integer written out (``'login'``, ``3``), or an enum-like member (a CapWords
    class, an UPPER_CASE member: ``Mode.LOGIN``, ``ssh.Mode.LOGIN``), kept as its last two names."""
    if isinstance(value, ast.Constant):
        if isinstance(value.value, str) and _PLAIN_TEXT.fullmatch(value.value):
            return repr(value.value)
        if type(value.value) is int:
            return str(value.value)
        return None
    if not isinstance(value, ast.Attribute) or not value.attr.isupper():
        return None
    owner = value.value
    name = owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(owner, ast.Attribute) else ""
    return f"{name}.{value.attr}" if name[:1].isupper() and not name.isupper() else None


def flag_tests(
    test: ast.expr, params: Set[str], flags: FrozenSet[str] = frozenset(), counters: FrozenSet[str] = frozenset()
) -> Tuple[str, str]:
    """The guards ``if test:`` puts on its body and on its ``else``: ``if flag:`` ("flag", "!flag"),
    ``if not flag:`` ("!flag", "flag"), ``if flag is True:`` ("flag", ''), ``if mode == Mode.LOGIN:``
    ("mode~Mode.LOGIN", "!mode~Mode.LOGIN"; ``!=``, ``is not`` the other way round), ``if attempts > 1:``
    ("attempts~>1", "!attempts~>1"), ``if attempt < retries:`` with ``attempt`` one of ``counters``
    (names counting up from zero: ``for attempt in range(retries + 1)``) ("retries~>0", ''),
    ``if flag and x:`` ("flag", ''),
    ``if x and not flag:`` ("!flag", ''): of the parts that test a parameter, the first whose default
    is a literal flag (``prefer_async=False``), else the first; ('', '') for any other test."""
    if isinstance(test, ast.Name):
        return test.id, f"!{test.id}"
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) and isinstance(test.operand, ast.Name):
        return f"!{test.operand.id}", test.operand.id
    if isinstance(test, ast.Compare):
        return _below_a_counter(test, params, counters) or _equality_tests(test, params)
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        parts = [flag_tests(value, params, counters=counters)[0]
                 for value in test.values if not isinstance(value, ast.BoolOp)]
        tested = [part for part in parts if part and guard_param(part) in params]
        preferred = [part for part in tested if guard_param(part) in flags]
        return ((preferred or tested)[0], "") if tested else ("", "")
    return "", ""


def _below_a_counter(test: ast.Compare, params: Set[str], counters: FrozenSet[str]) -> Optional[Tuple[str, str]]:
    """``attempt < retries`` (or ``retries > attempt``) where ``attempt`` counts up from zero: it holds
    only when ``retries`` is above zero ("retries~>0"); its ``else`` says nothing."""
    if len(test.ops) != 1 or not counters:
        return None
    op, left, right = test.ops[0], test.left, test.comparators[0]
    if isinstance(op, ast.Gt):
        left, right = right, left
    elif not isinstance(op, ast.Lt):
        return None
    if isinstance(left, ast.Name) and left.id in counters and isinstance(right, ast.Name) and right.id in params:
        return f"{right.id}{EQUALS}>0", ""
    return None


def _equality_tests(test: ast.Compare, params: Set[str]) -> Tuple[str, str]:
    """``mode == Mode.LOGIN`` (either way round; ``is`` too): ("mode~Mode.LOGIN", "!mode~Mode.LOGIN");
    ``attempts > 1`` (an integer written out): ("attempts~>1", "!attempts~>1")."""
    if len(test.ops) != 1:
        return "", ""
    op, left, right = test.ops[0], test.left, test.comparators[0]
    if not isinstance(left, ast.Name) or left.id not in params:
        left, right = right, left
        op = _MIRRORED.get(type(op), op)
    if not isinstance(left, ast.Name) or left.id not in params:
        return "", ""
    if isinstance(right, ast.Constant) and type(right.value) is bool:
        # `approved is True`: the flag itself. Only the branch of the very literal is known: a truthy
        # value other than True fails `is True` as a falsy one does
        flag = left.id if right.value else f"!{left.id}"
        if isinstance(op, (ast.Eq, ast.Is)):
            return flag, ""
        return ("", flag) if isinstance(op, (ast.NotEq, ast.IsNot)) else ("", "")
    key = value_key(right)
    if key is None:
        return "", ""
    equal = f"{left.id}{EQUALS}{key}"
    if isinstance(op, (ast.Eq, ast.Is)):
        return equal, f"!{equal}"
    if isinstance(op, (ast.NotEq, ast.IsNot)):
        return f"!{equal}", equal
    order = _ORDERS.get(type(op))
    if order is not None and _kind(key) == _INTEGER:
        bound = f"{left.id}{EQUALS}{order}{key}"
        return bound, f"!{bound}"
    return "", ""


def ruled_out(guard: str, given: FrozenSet[str]) -> bool:
    """The caller passed what makes ``guard`` false: ``flag=False`` for "flag", another member of
    the class for "mode~Mode.LOGIN", that very member for "!mode~Mode.LOGIN"."""
    negated = guard.startswith("!")
    test = guard[1:] if negated else guard
    param, equals, value = test.partition(EQUALS)
    if not equals:
        return (test if negated else f"!{test}") in given
    values = [flag.partition(EQUALS)[2] for flag in given
              if EQUALS in flag and not flag.startswith("!") and flag.partition(EQUALS)[0] == param]
    if value[:1] in _ORDER_SIGNS:  # "attempts~>1": an integer given is known to pass the test or not
        order = value.rstrip("-0123456789")
        bound = int(value[len(order):])
        passes = [_COMPARE[order](int(given), bound) for given in values if _kind(given) == _INTEGER]
        return any(passes) if negated else any(not outcome for outcome in passes)
    if negated:
        return test in given
    return any(_differs(given, value) for given in values)


def _differs(one: str, other: str) -> bool:
    """Two value keys known to be unequal: of one kind, and not the same (members of one class)."""
    kind = _kind(one)
    if kind != _kind(other) or one == other:
        return False
    return kind != _MEMBER or one.rpartition(".")[0] == other.rpartition(".")[0]


def _kind(key: str) -> str:
    if key[:1] in ("'", '"'):
        return _STRING
    return _MEMBER if "." in key else _INTEGER
