"""libcst building blocks for the fixers: arguments, parents, and one rewriting pass.

Every edit keeps the formatting around it: an argument is appended in the style of
the call (inline, one per line, magic trailing comma), statements moved into a new
block keep their comments and blank lines, only their indentation is re-rendered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Dict, List, Mapping, Optional, Sequence, Union

import libcst as cst

from ..calls import is_none, string_value

if TYPE_CHECKING:  # pragma: no cover
    from ..engine import Located

Suite = Union[cst.Module, cst.IndentedBlock]
CallRewrite = Callable[[cst.Call], cst.Call]
BodyRewrite = Callable[[List[cst.BaseStatement]], List[cst.BaseStatement]]


# -- arguments -----------------------------------------------------------------------


def find_keyword(call: cst.Call, name: str) -> Optional[Union[cst.Arg, cst.DictElement]]:
    """The ``name=...`` argument, or the ``"name": ...`` element of a literal ``**{...}``."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
        if arg.star == "**" and isinstance(arg.value, cst.Dict):
            for element in arg.value.elements:
                if isinstance(element, cst.DictElement) and string_value(element.key) == name:
                    return element
    return None


def positional_args(call: cst.Call) -> List[cst.Arg]:
    found = []
    for arg in call.args:
        if arg.star or arg.keyword is not None:
            break
        found.append(arg)
    return found


def replace_value(call: cst.Call, target: Union[cst.Arg, cst.DictElement], value: cst.BaseExpression) -> cst.Call:
    """``call`` with the value of one of its arguments (or ``**{}`` elements) replaced."""

    class _Swap(cst.CSTTransformer):
        def leave_Arg(self, original: cst.Arg, updated: cst.Arg) -> cst.Arg:
            return updated.with_changes(value=value) if original is target else updated

        def leave_DictElement(self, original: cst.DictElement, updated: cst.DictElement) -> cst.DictElement:
            return updated.with_changes(value=value) if original is target else updated

    # Only this call's own arguments: nested calls are other findings' business.
    args = []
    for arg in call.args:
        if arg is target:
            arg = arg.with_changes(value=value)
        elif arg.star == "**" and isinstance(arg.value, cst.Dict):
            arg = arg.with_changes(value=arg.value.visit(_Swap()))
        args.append(arg)
    return call.with_changes(args=args)


def _newline_ws(last_line: cst.SimpleWhitespace, indent: bool) -> cst.ParenthesizedWhitespace:
    return cst.ParenthesizedWhitespace(
        first_line=cst.TrailingWhitespace(), empty_lines=[], indent=indent, last_line=last_line
    )


def append_keyword(call: cst.Call, name: str, value: cst.BaseExpression) -> cst.Call:
    """``call`` with ``name=value`` added after its last argument, in the call's own layout."""
    new = cst.Arg(
        keyword=cst.Name(name),
        value=value,
        equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")),
    )
    args = list(call.args)
    if not args:
        return call.with_changes(args=[new])
    if len(args) == 1 and isinstance(args[0].value, cst.GeneratorExp) and not args[0].value.lpar:
        # `f(x for x in y)` takes no second argument until the generator has its own parentheses.
        args[0] = args[0].with_changes(
            value=args[0].value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        )
    last = args[-1]
    item_indent = _item_indent(call)
    if isinstance(last.comma, cst.Comma):
        after = last.comma.whitespace_after
        if isinstance(after, cst.ParenthesizedWhitespace) and item_indent is not None:
            # One argument per line with a trailing comma: same again, one line lower.
            args[-1] = last.with_changes(comma=last.comma.with_changes(
                whitespace_after=after.with_changes(last_line=item_indent)))
            new = new.with_changes(comma=cst.Comma(whitespace_after=_newline_ws(after.last_line, after.indent)))
        else:
            args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            new = new.with_changes(comma=last.comma)
    else:
        after_arg = last.whitespace_after_arg
        if isinstance(after_arg, cst.ParenthesizedWhitespace) and item_indent is not None:
            # One argument per line, closing parenthesis on its own line, no trailing comma.
            args[-1] = last.with_changes(
                whitespace_after_arg=cst.SimpleWhitespace(""),
                comma=cst.Comma(whitespace_after=after_arg.with_changes(last_line=item_indent)),
            )
            new = new.with_changes(whitespace_after_arg=_newline_ws(after_arg.last_line, after_arg.indent))
        else:
            args[-1] = last.with_changes(
                whitespace_after_arg=cst.SimpleWhitespace(""),
                comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")),
            )
            new = new.with_changes(whitespace_after_arg=after_arg)
    args.append(new)
    return call.with_changes(args=args)


def _item_indent(call: cst.Call) -> Optional[cst.SimpleWhitespace]:
    """The indentation of the arguments when the call puts them on their own lines."""
    for arg in reversed(call.args[:-1]):
        if isinstance(arg.comma, cst.Comma) and isinstance(arg.comma.whitespace_after, cst.ParenthesizedWhitespace):
            return arg.comma.whitespace_after.last_line
    if isinstance(call.whitespace_before_args, cst.ParenthesizedWhitespace):
        return call.whitespace_before_args.last_line
    return None


def set_argument(
    call: cst.Call, name: str, value: cst.BaseExpression, index: Optional[int] = None
) -> Optional[cst.Call]:
    """Make ``name`` take ``value``: replace a ``None`` passed by keyword, literal
    ``**{}`` or at position ``index``, or add the keyword. None when the argument holds
    something other than None (nothing to do)."""
    found = find_keyword(call, name)
    if found is not None:
        return replace_value(call, found, value) if is_none(found.value) else None
    if index is not None:
        values = positional_args(call)
        if len(values) > index:
            return replace_value(call, values[index], value) if is_none(values[index].value) else None
    return append_keyword(call, name, value)


# -- parents ---------------------------------------------------------------------------


class Parents(cst.CSTVisitor):
    """Parent of every node of a module (cheap; built only for files with fixes)."""

    def __init__(self) -> None:
        super().__init__()
        self.parent: Dict[cst.CSTNode, cst.CSTNode] = {}
        self._stack: List[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self._stack:
            self.parent[node] = self._stack[-1]
        self._stack.append(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self._stack.pop()

    @classmethod
    def of(cls, module: cst.Module) -> "Parents":
        found = cls()
        module.visit(found)
        return found

    def get(self, node: cst.CSTNode) -> Optional[cst.CSTNode]:
        return self.parent.get(node)

    def ancestors(self, node: cst.CSTNode):
        current = self.parent.get(node)
        while current is not None:
            yield current
            current = self.parent.get(current)

    def statement(self, node: cst.CSTNode) -> Optional[cst.BaseStatement]:
        """The statement (simple line or compound) directly holding ``node``."""
        current: Optional[cst.CSTNode] = node
        while current is not None:
            parent = self.parent.get(current)
            if isinstance(current, cst.BaseStatement) and isinstance(parent, (cst.Module, cst.IndentedBlock)):
                return current
            current = parent
        return None

    def suite(self, statement: cst.BaseStatement) -> Optional[Suite]:
        parent = self.parent.get(statement)
        return parent if isinstance(parent, (cst.Module, cst.IndentedBlock)) else None


# -- one pass ------------------------------------------------------------------------


@dataclass
class Edits:
    """What one round changes: calls rewritten in place and statement lists of suites."""

    calls: Dict[cst.Call, CallRewrite]
    bodies: Dict[cst.CSTNode, BodyRewrite]

    def __init__(self) -> None:
        self.calls = {}
        self.bodies = {}

    def __bool__(self) -> bool:
        return bool(self.calls or self.bodies)


class _Apply(cst.CSTTransformer):
    def __init__(self, edits: Edits) -> None:
        super().__init__()
        self.edits = edits

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        rewrite = self.edits.calls.get(original)
        return rewrite(updated) if rewrite is not None else updated

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
        rewrite = self.edits.bodies.get(original)
        return updated.with_changes(body=rewrite(list(updated.body))) if rewrite is not None else updated

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        rewrite = self.edits.bodies.get(original)
        return updated.with_changes(body=rewrite(list(updated.body))) if rewrite is not None else updated


def apply(module: cst.Module, edits: Edits) -> cst.Module:
    # Statement rewrites address statements by index: call rewrites never add or drop one.
    return module.visit(_Apply(edits))


# -- statements ----------------------------------------------------------------------


def leading_lines(statement: cst.BaseStatement) -> Sequence[cst.EmptyLine]:
    # Both kinds of statement have them; their common base does not declare them.
    assert isinstance(statement, (cst.SimpleStatementLine, cst.BaseCompoundStatement))
    return statement.leading_lines


def without_leading_lines(statement: cst.BaseStatement) -> cst.BaseStatement:
    return statement.with_changes(leading_lines=[])


def simple_expression(statement: cst.BaseStatement) -> Optional[cst.BaseExpression]:
    """The expression of a one-expression line (``x.done()``), else None."""
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        small = statement.body[0]
        if isinstance(small, cst.Expr):
            return small.value
    return None


def comments_of(statement: cst.BaseStatement) -> List[cst.EmptyLine]:
    """The comments around a statement that is dropped, as lines to keep elsewhere."""
    kept = [line for line in leading_lines(statement) if line.comment is not None]
    trailing = getattr(statement, "trailing_whitespace", None)
    if isinstance(trailing, cst.TrailingWhitespace) and trailing.comment is not None:
        kept.append(cst.EmptyLine(comment=trailing.comment))
    return kept


def is_docstring(statement: cst.BaseStatement) -> bool:
    expr = simple_expression(statement)
    return isinstance(expr, (cst.SimpleString, cst.ConcatenatedString))


def calls_in(node: cst.CSTNode) -> List[cst.Call]:
    found: List[cst.Call] = []

    class _Calls(cst.CSTVisitor):
        def visit_Call(self, call: cst.Call) -> None:
            found.append(call)

    node.visit(_Calls())
    return found


def names_in(node: cst.CSTNode, name: str) -> List[cst.Name]:
    found: List[cst.Name] = []

    class _Names(cst.CSTVisitor):
        def visit_Name(self, item: cst.Name) -> None:
            if item.value == name:
                found.append(item)

    node.visit(_Names())
    return found

# -- what a fixer answers ----------------------------------------------------------------


@dataclass(frozen=True)
class CallEdit:
    node: cst.Call
    rewrite: CallRewrite


@dataclass(frozen=True)
class BodyEdit:
    suite: cst.CSTNode  # a Module or IndentedBlock of the tree being fixed
    rewrite: BodyRewrite
    statements: frozenset = frozenset()  # statements the rewrite moves (no two edits share one)


@dataclass(frozen=True)
class Skip:
    reason: str


Edit = Union[CallEdit, BodyEdit]
Fixer = Callable[["Located", "FixContext"], Union[Edit, Skip]]


@dataclass
class FixContext:
    module: cst.Module
    parents: Parents
    timeouts: Mapping[str, cst.BaseExpression]
    extra_timeout_calls: Mapping[str, Optional[int]]

    def timeout(self, code: str) -> cst.BaseExpression:
        return self.timeouts[code]
