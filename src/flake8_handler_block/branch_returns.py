"""What a function returns for one call, when literal arguments decide its branches.

``def _get_client(self, async_client: bool = False)`` with ``if async_client: return
anthropic.AsyncAnthropic()`` then ``return anthropic.Anthropic()`` makes two kinds of client; the
call ``self._get_client(async_client=True)`` makes one. A test of a parameter alone (``if flag:``,
``if not flag:``, ``AsyncX() if flag else X()``) is decided by the literal the call passes, or
else by the parameter's literal default; any other test keeps both ways.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Optional, Sequence

import libcst as cst

from .calls import argument, has_star, is_false, is_true

if TYPE_CHECKING:
    from .scopes import FunctionScope


def returns_for_call(function: "FunctionScope", call: cst.Call) -> Optional[List[Optional[cst.BaseExpression]]]:
    """What the ``return`` statements the call can reach give (None for a bare ``return``), each
    conditional expression of a decided test read as its arm; None when no test of the function
    is decided by the call (then all of ``function.returns`` count)."""
    decided = _Decided(function, call)
    body = function.node.body
    if not function.param_slots or not isinstance(body, cst.IndentedBlock):
        return None
    found: List[Optional[cst.BaseExpression]] = []
    _collect(body.body, decided, found)
    return found if decided.used else None


class _Decided:
    """The truth a call gives the parameters of ``function`` (by keyword, position or default)."""

    def __init__(self, function: "FunctionScope", call: cst.Call) -> None:
        self.function = function
        self.call = call
        self.used = False  # some test was decided

    def truth(self, test: cst.BaseExpression) -> Optional[bool]:
        """True/False when ``test`` is a parameter (or ``not`` one) the call gives a literal for."""
        negated = False
        while isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            negated, test = not negated, test.expression
        if not isinstance(test, cst.Name) or test.value not in self.function.param_slots:
            return None
        value = self._given(test.value)
        if value is None:
            return None
        if is_true(value) or (isinstance(value, cst.Integer) and value.value != "0"):
            truth = True
        elif is_false(value) or (isinstance(value, cst.Name) and value.value == "None"):
            truth = False
        else:
            return None
        self.used = True
        return truth != negated

    def _given(self, name: str) -> Optional[cst.BaseExpression]:
        """What the call passes for parameter ``name`` (``FunctionScope.param_slots``), else its default."""
        place, default = self.function.param_slots[name]
        value = argument(self.call, name, place)
        if value is None and has_star(self.call):
            return None  # `*args`/`**kwargs` may give it
        return value if value is not None else default


Found = List[Optional[cst.BaseExpression]]


def _collect(statements: Sequence[cst.BaseStatement], decided: _Decided, found: Found) -> bool:
    """Adds the returns ``statements`` can reach to ``found``; True when they always leave
    (a ``return`` or ``raise`` on every way through them)."""
    for statement in statements:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Return):
                    found.append(_arm(small.value, decided))
                    return True
                if isinstance(small, cst.Raise):
                    return True
        elif isinstance(statement, cst.If):
            if _if_leaves(statement, decided, found):
                return True
        elif isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            continue  # its returns are its own
        else:
            leaves = False
            for block in _blocks(statement):
                leaves = _collect(block, decided, found) and isinstance(statement, cst.With)
            if leaves:
                return True
    return False


def _if_leaves(statement: cst.If, decided: _Decided, found: Found) -> bool:
    truth = decided.truth(statement.test)
    orelse = statement.orelse
    if truth is True:
        return _collect(_statements(statement.body), decided, found)
    if truth is False:
        return _else_leaves(orelse, decided, found)
    body_leaves = _collect(_statements(statement.body), decided, found)
    return _else_leaves(orelse, decided, found) and body_leaves


def _else_leaves(orelse: "cst.If | cst.Else | None", decided: _Decided, found: Found) -> bool:
    if orelse is None:
        return False
    if isinstance(orelse, cst.If):
        return _if_leaves(orelse, decided, found)
    return _collect(_statements(orelse.body), decided, found)


def _statements(suite: cst.BaseSuite) -> Sequence[cst.BaseStatement]:
    """The statements of a block; ``if flag: return X()`` on one line is one simple statement."""
    if isinstance(suite, cst.IndentedBlock):
        return suite.body
    return [cst.SimpleStatementLine(body=suite.body)] if isinstance(suite, cst.SimpleStatementSuite) else []


def _blocks(statement: cst.BaseStatement) -> List[Sequence[cst.BaseStatement]]:
    """The statement lists inside a compound statement (loops, ``with``, ``try``, ``match``)."""
    blocks: List[Sequence[cst.BaseStatement]] = []
    for name in ("body", "orelse", "finalbody"):
        part = getattr(statement, name, None)
        inner = getattr(part, "body", None)
        if isinstance(part, cst.BaseSuite):
            blocks.append(_statements(part))
        elif isinstance(inner, cst.BaseSuite):  # `else:`, `finally:`
            blocks.append(_statements(inner))
    for each in (*getattr(statement, "handlers", ()), *getattr(statement, "cases", ())):
        blocks.append(_statements(each.body))
    return blocks


def _arm(value: Optional[cst.BaseExpression], decided: _Decided) -> Optional[cst.BaseExpression]:
    """``AsyncX() if flag else X()``: the arm a decided test takes; else the value itself."""
    while isinstance(value, cst.IfExp):
        truth = decided.truth(value.test)
        if truth is None:
            break
        value = value.body if truth else value.orelse
    return value
