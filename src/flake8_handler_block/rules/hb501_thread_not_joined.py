from __future__ import annotations

from typing import Set

import libcst as cst

from ..facts import Facts
from ..calls import call_text, keyword
from ..ownership import Ownership, Policy
from ..rule import Rule
from ..names import derives_from
from ..scopes import CallSite
from ..signature import Signature

THREAD_CLASSES = frozenset({"threading.Thread"})
START_NEW_THREAD = frozenset({"_thread.start_new_thread", "thread.start_new_thread", "_thread.start_new"})
POLICY = Policy(closers=frozenset({"join"}))


class ThreadNotJoined(Rule):
    """What it does:
    Finds threads started in a request handler and never joined there:
    `threading.Thread(...).start()` (or a subclass of `threading.Thread` defined in
    the module), and `_thread.start_new_thread()`, with no `join()` of that thread in
    the same function. Daemon threads are reported too: `daemon=True` only means the
    interpreter will not wait for them at exit.

    Not reported: a thread that is joined (anywhere in the function), returned,
    stored on `self`/a global/a container (`threads.append(t)`), or passed to
    another call (someone else owns it); a thread created but never started;
    `threading.Timer`; a thread whose target is `server.serve_forever` (the server's
    `shutdown()` ends it: that is HB503's business).

    Why is this bad?
    The request returns while the work runs on: its errors are lost (nobody sees the
    exception), the client is told "done" before it is, threads pile up under load,
    and tests finish before the thread does. Use a task queue or an executor owned
    by the application, or join the thread before returning.

    Example:
    ```python
    @app.post("/signup")
    def signup():
        user = create_user(request.form)
        threading.Thread(target=send_welcome_email, args=(user.email,)).start()
        return redirect("/welcome")
    ```

    Use instead:
    ```python
    @app.post("/signup")
    def signup():
        user = create_user(request.form)
        EMAIL_QUEUE.put(user.email)  # consumed by a worker owned by the app
        return redirect("/welcome")
    ```
    """

    code = "HB501"
    needs = (Ownership,)
    runtime = Signature(leaks=frozenset({"thread"}))
    name = "thread-not-joined"
    message = "{call}() thread is started and never joined: {where} returns while it runs on and its errors are lost; join it or hand the work to a queue or executor owned by the app"
    gate = ('Thread', 'start_new_thread')
    calls = frozenset({"start", "start_new_thread"})

    def __init__(self, ctx) -> None:
        super().__init__(ctx)
        self.seen: Set[int] = set()

    def check_call(self, site: CallSite, facts: Facts) -> None:
        flows = facts[Ownership]
        function = site.function
        if function is None:
            return
        call = site.node
        if site.name == "start_new_thread":
            if self.ctx.callee(call, site.scope) in START_NEW_THREAD:
                self.report(call, function, call=call_text(call))
            return
        func = call.func
        if not isinstance(func, cst.Attribute):
            return
        creation = func.value
        if isinstance(creation, cst.Name):
            if not self._may_be_thread(creation.value, site.scope):
                return  # cheap: no binding of this name looks like a thread
            value = flows.single_value(function, creation.value)
            if value is None:
                return
            creation = value
        if not isinstance(creation, cst.Call) or id(creation) in self.seen:
            return
        if not self._is_thread(creation, site.scope) or _serves(creation):
            return
        self.seen.add(id(creation))
        if flows.fate(function, creation, POLICY).finding:
            self.report(creation, function, call=call_text(creation))

    def _may_be_thread(self, name: str, scope) -> bool:
        for bound in scope.bindings.get(name, []):
            value = getattr(bound, "payload", None)
            if isinstance(value, cst.Call):
                last = value.func.attr.value if isinstance(value.func, cst.Attribute) else getattr(value.func, "value", "")
                if last == "Thread" or last in self.ctx.module.class_defs or self.ctx.callee(value, scope) in THREAD_CLASSES:
                    return True
        return False

    def _is_thread(self, call: cst.Call, scope) -> bool:
        target = self.ctx.callee(call, scope)
        if target in THREAD_CLASSES:
            return True
        if isinstance(call.func, cst.Name):
            return derives_from(self.ctx.module, call.func.value, THREAD_CLASSES)
        return False


def _serves(call: cst.Call) -> bool:
    """``Thread(target=server.serve_forever)``: the server's shutdown() ends it (HB503's business)."""
    target = keyword(call, "target")
    return isinstance(target, cst.Attribute) and target.attr.value == "serve_forever"
