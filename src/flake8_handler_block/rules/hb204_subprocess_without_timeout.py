from __future__ import annotations

from ..fix.fixers import fix_timeout
from .. import catalog
from ..rule import timeout_positions, MissingTimeoutRule
from ..signature import Signature

TIMEOUT_POSITION = timeout_positions(catalog.SUBPROCESS)


class SubprocessWithoutTimeout(MissingTimeoutRule):
    """What it does:
    Finds subprocess waits without a timeout in request handlers:
    `subprocess.run/call/check_call/check_output(...)` without `timeout=`, and
    `wait()`/`communicate()` on a `subprocess.Popen` (assigned, or bound with
    `with Popen(...) as p`) without a timeout. Positional timeouts count
    (`p.wait(5)`, `p.communicate(data, 5)`).

    Why is this bad?
    A child that never exits (waiting on stdin, a lock, a network peer) keeps the
    handler waiting with it, and the client's request never completes.

    Example:
    ```python
    @app.post("/render")
    def render():
        subprocess.run(["wkhtmltopdf", src, dst], check=True)
    ```

    Use instead:
    ```python
    @app.post("/render")
    def render():
        subprocess.run(["wkhtmltopdf", src, dst], check=True, timeout=60)
    ```
    """

    code = "HB204"
    runtime = Signature(states=frozenset({"subprocess wait"}), untimed=True)
    name = "subprocess-without-timeout"
    message = "{call}() {problem}: {where} can block forever on a child that never exits; pass timeout= and handle subprocess.TimeoutExpired"
    gate = ('subprocess', 'Popen', 'check_output', 'check_call')
    calls = frozenset({"run", "call", "check_call", "check_output", "wait", "communicate"})
    fixer = fix_timeout  # `flake8-handler-block fix`: see docs/fix.md
    timeouts = TIMEOUT_POSITION
