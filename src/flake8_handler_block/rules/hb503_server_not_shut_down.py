from __future__ import annotations

from typing import List, Optional, Set, Tuple

import libcst as cst

from .. import catalog
from ..facts import Facts
from ..calls import call_text
from ..ownership import CLOSED, Flows, Ownership, Policy, UNSAFE, is_pytest_fixture
from ..walk import children, iter_nodes
from ..rule import ANYWHERE, Rule
from ..names import base_names, derives_from
from ..scopes import ClassScope, FunctionScope, Scope
from ..signature import Signature

_CLOSERS = frozenset({"shutdown"})  # server_close() only closes the socket: serve_forever() goes on
_BACKGROUND = frozenset({"serve_forever"})


class ServerNotShutDown(Rule):
    """What it does:
    Finds servers whose `serve_forever()` is started in the background (a thread's
    `target=server.serve_forever`, an executor, a nested function run elsewhere) and
    that are never shut down: `http.server.HTTPServer`/`ThreadingHTTPServer`,
    `socketserver.*Server`, `wsgiref.simple_server.make_server`,
    `werkzeug.serving.make_server`, and subclasses of these defined in the module.
    Checked in every function (tests are the usual place).

    A server counts as shut down when the function calls `shutdown()` on it in a
    `finally` (or with nothing that can raise or return before the call), or
    registers its shutdown (`request.addfinalizer(server.shutdown)`,
    `self.addCleanup(server.shutdown)`, `stack.callback(...)`, a nested finalizer
    function). `server_close()` alone, and `with server:` alone (it only calls
    `server_close()`), close the socket but leave `serve_forever()` running: reported.
    A server built inline (`Thread(target=HTTPServer(...).serve_forever)`) can never
    be shut down: reported; so is a walrus-bound one (`(srv := HTTPServer(...))`)
    whose `shutdown()` is never called. A straight-line `shutdown()`
    after asserts or calls in a test is reported: a failing assert skips it. In a pytest fixture the
    server handed to the test by `yield`/`return` is still the fixture's to stop: the
    code after `yield` or a finalizer must do it. A server stored on `self`/`cls` in a
    `unittest.TestCase` (or a `Test*` class) must be shut down by a method of that
    class (`tearDown`, `tearDownClass`, `addCleanup`).

    Not reported: a server returned by a plain helper, stored on `self` outside a test
    class, passed to another call (not a function of this module that only uses it), or
    whose `serve_forever()` is called in the
    foreground (the program's main loop: it ends with the process).

    Why is this bad?
    The serving thread runs on after the test: its port stays bound, later tests
    fail with "Address already in use" or talk to the wrong server, and pytest waits
    at exit for non-daemon threads. Go: `httptest.NewServer` without `Close()`.

    Example:
    ```python
    @pytest.fixture
    def upstream():
        server = HTTPServer(("127.0.0.1", 0), FakeUpstream)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{server.server_port}"
    ```

    Use instead:
    ```python
    @pytest.fixture
    def upstream():
        server = HTTPServer(("127.0.0.1", 0), FakeUpstream)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield f"http://127.0.0.1:{server.server_port}"
        server.shutdown()
        server.server_close()
    ```
    """

    code = "HB503"
    needs = (Ownership,)
    runtime = Signature(leaks=frozenset({"server", "thread"}))
    name = "server-not-shut-down"
    message = "{call}() server runs serve_forever() in the background and {problem}: {where} {fix}"
    scope = ANYWHERE
    gate = ('serve_forever',)

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.starts: List[Tuple[cst.Attribute, Scope, bool]] = []  # (x.serve_forever, scope, in the foreground)
        self._called: Set[int] = set()  # ids of `x.serve_forever` that are called right there
        self._lambdas = 0

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self._lambdas += 1

    def leave_Lambda(self, node: cst.Lambda) -> None:
        self._lambdas -= 1

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "serve_forever" and not self._lambdas:
            self._called.add(id(node.func))

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value == "serve_forever":
            self.starts.append((node, self.ctx.scope, id(node) in self._called))

    def finish(self, facts: Facts) -> None:
        flows = facts[Ownership]
        seen: Set[int] = set()
        for attr, scope, foreground in self.starts:
            if not foreground and self._built_inline(attr, scope):
                continue
            found = self._creation(attr, scope, flows)
            if found is None:
                continue
            function, creation, attribute = found
            if id(creation) in seen:
                continue
            seen.add(id(creation))
            if not self._is_server(creation, function):
                continue
            if attribute is not None:
                self._check_stored(function, creation, attribute)
                continue
            fixture = is_pytest_fixture(function)
            # pytest runs a fixture's code after `yield` whatever the test did: no
            # straight-line strictness there; elsewhere a failing assert skips it.
            policy = Policy(closers=_CLOSERS, background=_BACKGROUND, fixture=fixture, strict=not fixture)
            result = flows.fate(function, creation, policy)
            name = result.name or _with_name(function, creation)
            closed_by_with = result.kind == CLOSED and not foreground
            if closed_by_with and name is not None and not _mentions_shutdown(function.node, name):
                self.report(
                    creation, function, call=call_text(creation),
                    problem="is only closed by `with` (that calls server_close(), not shutdown())",
                    fix="leaves its serve_forever() thread running; call shutdown() before the block ends",
                )
                continue
            if not (result.finding and result.background and not result.foreground):
                continue
            if result.kind == UNSAFE:
                problem = "is shut down only on the straight path"
                fix = (
                    "leaves it serving when an assertion or exception comes first; "
                    "shut it down in finally or with addCleanup()"
                )
            elif fixture:
                problem = "is never shut down"
                fix = "leaves it serving after the test; shut it down after `yield` or in request.addfinalizer()"
            else:
                problem = "is never shut down"
                fix = "leaves it serving and its port bound; call shutdown() and server_close() in finally"
            self.report(creation, function, call=call_text(creation), problem=problem, fix=fix)

    def _built_inline(self, attr: cst.Attribute, scope: Scope) -> bool:
        """``Thread(target=HTTPServer(...).serve_forever)``, or a walrus nothing shuts down: reported here."""
        receiver = attr.value
        function = scope.function
        if function is None:
            return False
        name: Optional[str] = None
        if isinstance(receiver, cst.NamedExpr) and isinstance(receiver.target, cst.Name):
            name = receiver.target.value
            receiver = receiver.value
        if not isinstance(receiver, cst.Call) or not self._is_server(receiver, function):
            return False
        if name is not None and (_mentions_shutdown(function.node, name) or _handed_on(function.node, name)):
            return True  # a walrus that is shut down, or handed to someone who may
        self.report(
            receiver, function, call=call_text(receiver),
            problem="is built inline, so nothing can ever shut it down" if name is None else "is never shut down",
            fix=(
                "leaves it serving and its port bound; "
                "bind it to a name and call shutdown() and server_close() in finally"
            ),
        )
        return True

    def _creation(
        self, attr: cst.Attribute, scope: Scope, flows: Flows
    ) -> Optional[Tuple[FunctionScope, cst.Call, Optional[str]]]:
        receiver = attr.value
        function = scope.function
        if isinstance(receiver, cst.Name):
            while function is not None:
                if receiver.value in function.bindings:
                    value = flows.single_value(function, receiver.value)
                    if value is None:
                        value = _with_value(function, receiver.value)
                    if isinstance(value, cst.Call):
                        return function, value, None
                    return None
                parent = function.parent
                function = parent.function if parent is not None else None
            return None
        if (
            isinstance(receiver, cst.Attribute)
            and isinstance(receiver.value, cst.Name)
            and receiver.value.value in ("self", "cls")
        ):
            owner = function
            while owner is not None and owner.cls is None:
                parent = owner.parent
                owner = parent.function if parent is not None else None
            if owner is None or owner.cls is None:
                return None
            cls = owner.cls
            for bound in cls.attrs.get(receiver.attr.value, []):
                value = getattr(bound, "payload", None)
                bound_scope = getattr(bound, "scope", None)
                if isinstance(value, cst.Call) and isinstance(bound_scope, FunctionScope):
                    return bound_scope, value, receiver.attr.value
        return None

    def _is_server(self, call: cst.Call, function: FunctionScope) -> bool:
        target = self.ctx.callee(call, function)
        if target in catalog.SERVER_CLASSES or target in catalog.SERVER_FACTORIES:
            return True
        if isinstance(call.func, cst.Name):
            return derives_from(self.ctx.module, call.func.value, catalog.SERVER_CLASSES)
        return False

    def _check_stored(self, function: FunctionScope, creation: cst.Call, attribute: str) -> None:
        cls = function.cls
        if cls is None or not _is_test_class(cls):
            return
        for method_list in cls.methods.values():
            for method in method_list:
                if _closes_attribute(method.node, attribute):
                    return
        fix = "leaves it serving after the test; shut it down in tearDown() or with addCleanup()"
        self.report(creation, function, call=call_text(creation), problem="is never shut down", fix=fix)


def _is_test_class(cls: ClassScope) -> bool:
    if cls.name.startswith("Test"):
        return True
    return any(base.rsplit(".", 1)[-1].endswith("TestCase") for base in base_names(cls))


def _closes_attribute(node: cst.CSTNode, attribute: str) -> bool:
    """Whether ``node`` mentions ``<x>.<attribute>.shutdown``."""
    return any(
        isinstance(found, cst.Attribute)
        and found.attr.value in _CLOSERS
        and isinstance(found.value, cst.Attribute)
        and found.value.attr.value == attribute
        for found in iter_nodes(node)
    )


def _with_value(function: FunctionScope, name: str) -> Optional[cst.BaseExpression]:
    """What ``with <call> as name:`` in ``function`` binds ``name`` to."""
    for node in iter_nodes(function.node.body, prune=(cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        if isinstance(node, cst.WithItem) and node.asname is not None:
            target = node.asname.name
            if isinstance(target, cst.Name) and target.value == name:
                return node.item
    return None


def _with_name(function: FunctionScope, creation: cst.Call) -> Optional[str]:
    """The name ``with <creation> as name:`` binds, when the server is created in a with."""
    for node in iter_nodes(function.node.body, prune=(cst.FunctionDef, cst.ClassDef, cst.Lambda)):
        if isinstance(node, cst.WithItem) and node.item is creation and node.asname is not None:
            target = node.asname.name
            return target.value if isinstance(target, cst.Name) else None
    return None


def _mentions_shutdown(node: cst.CSTNode, name: str) -> bool:
    """``name.shutdown`` anywhere in ``node`` (called, or handed to a finalizer), nested functions too."""
    return any(
        isinstance(found, cst.Attribute) and found.attr.value == "shutdown"
        and isinstance(found.value, cst.Name) and found.value.value == name
        for found in iter_nodes(node)
    )


def _handed_on(node: cst.CSTNode, name: str) -> bool:
    """``name`` used other than through an attribute (returned, passed, stored): someone else may stop it."""
    for found in iter_nodes(node):
        if isinstance(found, cst.Attribute):
            continue
        for child in children(found):
            if isinstance(child, cst.Name) and child.value == name and not isinstance(found, cst.NamedExpr):
                return True
    return False
