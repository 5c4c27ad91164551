"""Calls under an equality test of a parameter (``if mode == Mode.LOGIN:``), and flags passed through
a wrapper's ``**kwargs``: a caller whose value, given or left to the default, makes the test false
never runs the call (skypilot's ``SshMode.LOGIN`` branch, reached through
``SlurmLoginNodeCommandRunner.run(cmd, **kwargs)`` with the default ``NON_INTERACTIVE``)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from flake8_handler_block.project.guards import flag_tests, ruled_out, value_key
from project_helpers import markers_hold

RUNNER = '''import enum
import subprocess


class Mode(enum.Enum):
    SHELL = "shell"
    LOGIN = "login"


class Runner:
    def run(self, cmd, mode=Mode.SHELL, method="exec", attempts=1):
        subprocess.run(["hostname"])  # expect: HB204 "handler 'run'"
        if attempts > 1:
            subprocess.run(["ssh", "-o", "ConnectionAttempts=%d" % attempts, cmd])  # {retry}
        if mode == Mode.LOGIN:
            subprocess.run(["ssh", "-t", cmd])  # {login}
        if method != "exec":
            subprocess.run(["sh", "-c", cmd])  # {script}
        return subprocess.run(["ssh", cmd], timeout=30)


class SudoRunner(Runner):
    def run(self, cmd, **kwargs):
        {touch}return super().run("sudo " + cmd, **kwargs)
'''

VIEWS = '''from flask import Flask

from .runner import Mode, Runner, SudoRunner

app = Flask(__name__)


@app.route("/run/<mode>")
def run(mode):
    {body}
'''

EXPECTED = "expect: HB204"


def _holds(tmp_path: Path, body: str, login: bool = False, script: bool = False, touch: str = "",
           retry: bool = False) -> None:
    runner = RUNNER.format(login=EXPECTED if login else "", script=EXPECTED if script else "", touch=touch,
                           retry=EXPECTED if retry else "")
    files = {"app/__init__.py": "", "app/runner.py": runner, "app/views.py": VIEWS.format(body=body)}
    markers_hold(tmp_path, files, "app/runner.py")


def test_the_default_member_and_a_literal_rule_out_the_branches_they_fail(tmp_path: Path) -> None:
    _holds(tmp_path, 'Runner().run("uptime")\n    return Runner().run("ls", mode=Mode.SHELL, method="exec")')


def test_another_string_runs_the_branch_of_its_inequality(tmp_path: Path) -> None:
    _holds(tmp_path, 'return Runner().run("ls", method="script")', script=True)


def test_the_wrappers_kwargs_carry_the_callers_flags_and_leave_the_defaults(tmp_path: Path) -> None:
    _holds(tmp_path, 'return SudoRunner().run("uptime")')
    _holds(tmp_path, 'return SudoRunner().run("ls", mode=Mode.LOGIN)', login=True)


def test_an_integer_given_or_left_at_its_default_rules_out_an_order_test_it_fails(tmp_path: Path) -> None:
    _holds(tmp_path, 'return Runner().run("ls", attempts=1)')
    _holds(tmp_path, 'return SudoRunner().run("ls", attempts=3)', retry=True)


def test_a_value_of_unknown_kind_through_the_wrapper_may_run_either(tmp_path: Path) -> None:
    _holds(tmp_path, 'return SudoRunner().run("ls", mode=Mode[mode])', login=True)
    _holds(tmp_path, 'return SudoRunner().run("ls", **{"mode": Mode[mode]})', login=True, script=True, retry=True)


def test_a_wrapper_that_changes_its_kwargs_says_nothing_of_them(tmp_path: Path) -> None:
    touch = 'kwargs.setdefault("mode", Mode.LOGIN)\n        '
    _holds(tmp_path, 'return SudoRunner().run("uptime")', login=True, script=True, touch=touch, retry=True)


def _test(source: str) -> ast.expr:
    statement = ast.parse(source).body[0]
    assert isinstance(statement, ast.If)
    return statement.test


@pytest.mark.parametrize("source, guards", [
    ("if mode == Mode.LOGIN: pass", ("mode~Mode.LOGIN", "!mode~Mode.LOGIN")),
    ("if Mode.LOGIN != mode: pass", ("!mode~Mode.LOGIN", "mode~Mode.LOGIN")),
    ("if mode is ssh.Mode.LOGIN: pass", ("mode~Mode.LOGIN", "!mode~Mode.LOGIN")),
    ("if method == 'exec' and ready: pass", ("method~'exec'", "")),
    ("if level == 2: pass", ("level~2", "!level~2")),
    ("if mode == settings.LOGIN: pass", ("", "")),  # a module's constant: any value
    ("if mode == self.LOGIN: pass", ("", "")),
    ("if mode == Mode.login: pass", ("", "")),  # not an enum-like member
    ("if mode == 'a=b': pass", ("", "")),  # not plain text
    ("if other == Mode.LOGIN: pass", ("", "")),  # not a parameter
    ("if 1 < level < 3: pass", ("", "")),
    ("if level > 1: pass", ("level~>1", "!level~>1")),
    ("if 2 >= level: pass", ("level~<=2", "!level~<=2")),  # the integer first: the test mirrored
    ("if ready and level >= 1: pass", ("ready", "")),
    ("if level > 'b': pass", ("", "")),  # an order of strings: not read
    ("if ready is True and other: pass", ("ready", "")),  # a flag tested as one
    ("if ready is not True: pass", ("", "ready")),  # (a truthy value other than True takes the body)
    ("if ready == False: pass", ("!ready", "")),
    ("if ready is not False: pass", ("", "!ready")),
    ("if ready is None: pass", ("", "")),  # False is not None: not a flag test
])
def test_the_guards_an_equality_test_puts_on_its_branches(source: str, guards: tuple) -> None:
    assert flag_tests(_test(source), {"mode", "method", "level", "ready"}) == guards


@pytest.mark.parametrize("guard, given, out", [
    ("mode~Mode.LOGIN", {"mode~Mode.SHELL"}, True),
    ("mode~Mode.LOGIN", {"mode~Mode.LOGIN"}, False),
    ("mode~Mode.LOGIN", {"mode~Other.SHELL"}, False),  # another class may hold an equal value
    ("mode~Mode.LOGIN", {"mode~'login'"}, False),  # a string may equal a member of a str enum
    ("mode~Mode.LOGIN", {"?mode"}, False),
    ("mode~Mode.LOGIN", {"!mode"}, False),
    ("!mode~Mode.LOGIN", {"mode~Mode.LOGIN"}, True),
    ("!mode~Mode.LOGIN", {"mode~Mode.SHELL"}, False),
    ("method~'exec'", {"method~'script'"}, True),
    ("level~1", {"level~2"}, True),
    ("level~>1", {"level~1"}, True),  # max_attempts=1 never takes `if max_attempts > 1:`
    ("level~>1", {"level~3"}, False),
    ("!level~>1", {"level~3"}, True),
    ("level~<=2", {"level~'x'"}, False),  # not an integer: nothing known
    ("level~>1", {"?level"}, False),
    ("flag", {"!flag"}, True),
    ("!flag", {"flag"}, True),
])
def test_what_a_caller_gives_rules_out(guard: str, given: set, out: bool) -> None:
    assert ruled_out(guard, frozenset(given)) is out


def test_values_kept_for_equality() -> None:
    assert value_key(ast.parse("x.Mode.LOGIN", mode="eval").body) == "Mode.LOGIN"
    assert value_key(ast.parse("True", mode="eval").body) is None  # a flag, kept as one
    assert value_key(ast.parse("1.5", mode="eval").body) is None


TRUST = '''import requests


def modify_trust(peer, approved=None):
    requests.head(peer, timeout=5)  # expect: HB601
    if approved is True and peer:
        requests.post(peer, timeout=(5, 10))  # {notify}
    return peer
'''

TRUST_ROUTES = '''from fastapi import FastAPI

from .trust import modify_trust

app = FastAPI()


@app.post("/trust/{{peer}}")
async def update_trust(peer: str):
    return modify_trust(peer{given})
'''


@pytest.mark.parametrize("given, notified", [("", False), (", approved=True", True), (", approved=False", False)])
def test_a_flag_tested_is_true_runs_only_for_a_caller_passing_true(tmp_path: Path, given: str, notified: bool) -> None:
    files = {"app/__init__.py": "", "app/trust.py": TRUST.format(notify="expect: HB601" if notified else ""),
             "app/routes.py": TRUST_ROUTES.format(given=given)}
    markers_hold(tmp_path, files, "app/trust.py")


WRITER = '''import time

_BACKOFF = (0.5, 2.0)


class Pipeline:
    def enqueue(self, rows):
        self._write(rows, retries=0)  # on the request: one attempt, no back-off

    def flush_now(self, rows, retries):
        self._write(rows, retries=retries)

    def _write(self, rows, retries):
        for attempt in range(retries + 1):
            try:
                return self.backend.write(rows)
            except OSError:
                if attempt < retries:
                    time.sleep(_BACKOFF[min(attempt, 1)])  # {sleep}
        for index in range(len(rows)):
            if index > retries:  # `index` is no counter below `retries`: no guard
                time.sleep(0.1)  # {other}
'''

MIDDLEWARE = '''from .pipeline import Pipeline

pipeline = Pipeline()


async def app(scope, receive, send):
    pipeline.{call}
'''


@pytest.mark.parametrize("call, sleep", [
    ("enqueue([scope])", False),  # retries=0: `attempt < retries` never holds
    ("flush_now([scope], retries=scope['retries'])", True),
])
def test_a_retry_loops_back_off_needs_a_retry(tmp_path: Path, call: str, sleep: bool) -> None:
    """``for attempt in range(retries + 1)`` then ``if attempt < retries: time.sleep(...)``: a caller
    passing ``retries=0`` never sleeps (django-observatory's request path writes with no retry)."""
    expected = 'expect: HB601 "handler \'app\'"'
    writer = WRITER.format(sleep=expected if sleep else "ok: HB601 retries=0", other=expected)
    files = {"app/__init__.py": "", "app/pipeline.py": writer, "app/asgi.py": MIDDLEWARE.format(call=call)}
    markers_hold(tmp_path, files, "app/pipeline.py")


@pytest.mark.parametrize("source, guards", [
    ("if attempt < retries: pass", ("retries~>0", "")),
    ("if retries > attempt: pass", ("retries~>0", "")),
    ("if attempt <= retries: pass", ("", "")),  # holds at retries=0
    ("if other < retries: pass", ("", "")),  # not a counter from zero
])
def test_the_guard_a_counter_from_zero_puts_on_its_bound(source: str, guards: tuple) -> None:
    assert flag_tests(_test(source), {"retries"}, counters=frozenset({"attempt"})) == guards
