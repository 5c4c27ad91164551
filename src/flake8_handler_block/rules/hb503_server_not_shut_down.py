from __future__ import annotations

from typing import List, Optional, Set, Tuple

import libcst as cst

from ..facts import Facts
from ..calls import call_text
from ..ownership import Flows, Ownership, Policy, UNSAFE, is_pytest_fixture
from ..walk import iter_nodes
from ..rule import ANYWHERE, Rule
from ..names import base_names, derives_from
from ..scopes import ClassScope, FunctionScope, Scope
from ..signature import Signature

_SOCKETSERVERS = (
    "TCPServer", "UDPServer", "ThreadingTCPServer", "ThreadingUDPServer", "ForkingTCPServer",
    "ForkingUDPServer", "UnixStreamServer", "UnixDatagramServer", "ThreadingUnixStreamServer",
    "ThreadingUnixDatagramServer", "ForkingUnixStreamServer", "ForkingUnixDatagramServer", "BaseServer",
)
SERVER_CLASSES = frozenset(
    {"http.server.HTTPServer", "http.server.ThreadingHTTPServer"}
    | {f"socketserver.{name}" for name in _SOCKETSERVERS}
    | {f"http.server.{name}" for name in _SOCKETSERVERS}  # re-exported by http.server's import
    | {"wsgiref.simple_server.WSGIServer", "werkzeug.serving.BaseWSGIServer",
       "werkzeug.serving.ThreadedWSGIServer", "werkzeug.serving.ForkingWSGIServer"}
)
SERVER_FACTORIES = frozenset({"wsgiref.simple_server.make_server", "werkzeug.serving.make_server"})
_CLOSERS = frozenset({"shutdown", "server_close"})
_BACKGROUND = frozenset({"serve_forever"})


class ServerNotShutDown(Rule):
    """What it does:
    Finds servers whose `serve_forever()` is started in the background (a thread's
    `target=server.serve_forever`, an executor, a nested function run elsewhere) and
    that are never shut down: `http.server.HTTPServer`/`ThreadingHTTPServer`,
    `socketserver.*Server`, `wsgiref.simple_server.make_server`,
    `werkzeug.serving.make_server`, and subclasses of these defined in the module.
    Checked in every function (tests are the usual place).

    A server counts as shut down when the function calls `shutdown()` or
    `server_close()` on it in a `finally` (or with nothing that can raise or return
    before the call), uses it in `with server:`, or registers its shutdown
    (`request.addfinalizer(server.shutdown)`, `self.addCleanup(server.shutdown)`,
    `stack.callback(...)`, a nested finalizer function). A straight-line `shutdown()`
    after asserts or calls in a test is reported: a failing assert skips it. In a pytest fixture the
    server handed to the test by `yield`/`return` is still the fixture's to stop: the
    code after `yield` or a finalizer must do it. A server stored on `self`/`cls` in a
    `unittest.TestCase` (or a `Test*` class) must be shut down by a method of that
    class (`tearDown`, `tearDownClass`, `addCleanup`).

    Not reported: a server returned by a plain helper, stored on `self` outside a test
    class, passed to another call, or whose `serve_forever()` is called in the
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
        self.starts: List[Tuple[cst.Attribute, Scope]] = []

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if node.attr.value == "serve_forever":
            self.starts.append((node, self.ctx.scope))

    def finish(self, facts: Facts) -> None:
        flows = facts[Ownership]
        seen: Set[int] = set()
        for attr, scope in self.starts:
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
            if not (result.finding and result.background and not result.foreground):
                continue
            if result.kind == UNSAFE:
                problem = "is shut down only on the straight path"
                fix = "leaves it serving when an assertion or exception comes first; shut it down in finally or with addCleanup()"
            elif fixture:
                problem = "is never shut down"
                fix = "leaves it serving after the test; shut it down after `yield` or in request.addfinalizer()"
            else:
                problem = "is never shut down"
                fix = "leaves it serving and its port bound; call shutdown() and server_close() in finally"
            self.report(creation, function, call=call_text(creation), problem=problem, fix=fix)

    def _creation(
        self, attr: cst.Attribute, scope: Scope, flows: Flows
    ) -> Optional[Tuple[FunctionScope, cst.Call, Optional[str]]]:
        receiver = attr.value
        function = scope.function
        if isinstance(receiver, cst.Name):
            while function is not None:
                if receiver.value in function.bindings:
                    value = flows.single_value(function, receiver.value)
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
        if target in SERVER_CLASSES or target in SERVER_FACTORIES:
            return True
        if isinstance(call.func, cst.Name):
            return derives_from(self.ctx.module, call.func.value, SERVER_CLASSES)
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
    """Whether ``node`` mentions ``<x>.<attribute>.shutdown`` (or another closer)."""
    return any(
        isinstance(found, cst.Attribute)
        and found.attr.value in _CLOSERS
        and isinstance(found.value, cst.Attribute)
        and found.value.attr.value == attribute
        for found in iter_nodes(node)
    )
