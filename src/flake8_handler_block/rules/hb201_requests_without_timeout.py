from __future__ import annotations

from ..fix.fixers import fix_timeout
from .. import catalog
from ..rule import timeout_positions, MissingTimeoutRule, imported
from ..signature import SOCKET_STATES, Signature


TIMEOUT_POSITION = timeout_positions(catalog.REQUESTS)


class RequestsWithoutTimeout(MissingTimeoutRule):
    """What it does:
    Finds `requests` calls in request handlers that have no timeout:
    `requests.get/post/put/patch/delete/head/options/request()` and the same
    methods plus `send()` on a `requests.Session`. The session is recognised when it
    was built with `requests.Session()` (assigned, bound by `with ... as`, stored on
    `self.`, annotated `s: requests.Session`, or called inline). `timeout=None`
    counts as missing.

    Not reported: `timeout=` given as a name, a number, a tuple or an attribute;
    `**{"timeout": 3}`; a call that forwards an unseen `**kwargs`; a receiver whose
    kind is unknown (a parameter without annotation, an object from another module).

    Why is this bad?
    `requests` waits forever by default. One upstream that accepts the connection and
    never answers parks the worker on this line; a few such requests and every worker
    of the server is stuck.

    Example:
    ```python
    @app.get("/user/<uid>")
    def fetch_user(uid):
        return requests.get(f"{API}/users/{uid}").json()
    ```

    Use instead:
    ```python
    @app.get("/user/<uid>")
    def fetch_user(uid):
        return requests.get(f"{API}/users/{uid}", timeout=(3.05, 27)).json()
    ```
    """

    code = "HB201"
    runtime = Signature(states=SOCKET_STATES, untimed=True, libraries=("requests",))
    name = "requests-without-timeout"
    message = "{call}() {problem}: {where} can block forever on a stalled upstream; pass timeout=(connect, read)"
    gate = imported("requests")
    calls = catalog.last_names(TIMEOUT_POSITION)
    fixer = fix_timeout  # `flake8-handler-block fix`: see docs/fix.md
    timeouts = TIMEOUT_POSITION
