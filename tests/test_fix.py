"""`flake8-handler-block fix`: golden before/after files, every fixture, and the CLI."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from flake8_handler_block.config import Config
from flake8_handler_block.engine import check_source
from flake8_handler_block.fix import main as fix_main
from flake8_handler_block.fix.core import fix_source, parse_timeouts
from flake8_handler_block.fix.core import FIXERS
from flake8_handler_block.rules import ALL_RULES
from fixtures import TESTDATA, fixture_config, fixture_markers
from project_helpers import age, write_project
from test_noqa import HEAD, START, flake8_still_reports  # flake8's own noqa code as the oracle

GOLDEN = Path(__file__).resolve().parent / "fix_golden"
BEFORE = sorted(GOLDEN.glob("*.before.py"))
FIXTURES = sorted(TESTDATA.glob("HB[0-9][0-9][0-9]*.py"))


def _codes(text: str, config=None, filename: str = "x.py") -> Counter:
    return Counter((message.split(" ", 1)[0], message) for _, _, message in check_source(text, filename, config))


@pytest.mark.parametrize("before", BEFORE, ids=lambda p: p.name.split(".")[0])
def test_golden(before):
    after = before.with_name(before.name.replace(".before.", ".after."))
    code = before.name.split(".")[0].upper()
    app_code = Config(tooling=())  # the golden files stand for application code, though they live in tests/
    result = fix_source(before.read_text(encoding="utf-8"), str(before), app_code)
    assert result.source == after.read_text(encoding="utf-8")
    assert result.fixed[code] > 0
    again = fix_source(result.source, str(after), app_code)
    assert again.source == result.source, "second run must change nothing"


@pytest.mark.slow  # every fixture, each linted several times: ~10 s
@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_fixture_fix_is_safe_and_idempotent(path):
    text = path.read_text(encoding="utf-8")
    config = fixture_config(text, path)
    result = fix_source(text, str(path), config)
    ast.parse(result.source)  # still Python

    # Linted where the fixture lives, as the fix saw it: some rules ask the project (HB202's EMAIL_TIMEOUT).
    before, after = _codes(text, config, str(path)), _codes(result.source, config, str(path))
    # Nothing new appears, and only findings of fixable codes go away.
    assert not (after - before), f"new findings: {after - before}"
    gone = before - after
    # HB501 reports a thread because its target can hang in a call with no timeout: fixing that
    # call answers the thread's finding too.
    assert all(code in FIXERS or (code == "HB501" and "can hang in" in message) for code, message in gone), (
        f"non-fixable findings vanished: {gone}"
    )
    assert sum(result.fixed.values()) == sum(gone.values())
    # A finding of a fixable code that stays has a stated reason (not a silent miss).
    for item in result.remaining:
        assert item.reason, item
    # Second run: no-op.
    assert fix_source(result.source, str(path), config).source == result.source


# Fixtures whose reported clients take no timeout argument (python-freeipa's, xmlrpc's ServerProxy):
# each finding is left alone with a reason (test_fixture_fix_is_safe_and_idempotent checks the reasons).
TAKE_NO_TIMEOUT = frozenset({"HB203_freeipa", "HB202_xmlrpc"})


@pytest.mark.parametrize("path", [p for p in FIXTURES if p.stem[:5] in ("HB201", "HB202", "HB203", "HB204", "HB205")
                                  and fixture_markers(p).items],  # a fixture of look-alikes only has nothing to fix
                         ids=lambda p: p.stem)
def test_argument_fixes_touch_only_reported_lines(path):
    """A timeout fix edits the reported call and nothing else: same line count, and
    only lines carrying an `# expect:` marker differ."""
    text = path.read_text(encoding="utf-8")
    result = fix_source(text, str(path), fixture_config(text, path))
    old, new = text.splitlines(), result.source.splitlines()
    assert len(old) == len(new)
    reported = {item.line for item in fixture_markers(path).items}
    changed = {i + 1 for i, (a, b) in enumerate(zip(old, new)) if a != b}
    assert changed <= reported, sorted(changed - reported)
    if path.stem in TAKE_NO_TIMEOUT:
        assert not changed and result.remaining, "a client that takes no timeout was given one"
    else:
        assert changed, "nothing was fixed"


def test_fixable_flag_matches_fixers():
    flagged = {rule.code for rule in ALL_RULES if rule.fixable}
    assert flagged == set(FIXERS) & {rule.code for rule in ALL_RULES}


def test_fix_is_only_applied_where_the_linter_reports():
    text = (
        "import subprocess\n"
        "def offline():\n"
        "    return subprocess.run(['make'])\n"  # HB204 looks at handler-reachable code only: no fix
    )
    assert fix_source(text).source == text


# body -> whether flake8 still reports the HB201 on its first line (so `fix` fixes it). flake8 searches the
# finding's line (or the lines a multi-line string or a backslash ties to it) for the first `# noqa`,
# strings included; inside brackets each line stands alone; codes are compared case-sensitively.
NOQA_CASES = {
    "bare noqa": ("requests.get('u')  # noqa\n", False),
    "noqa colon without a valid code": ("requests.get('u')  # noqa: hb-201\n", False),
    "codes without spaces": ("requests.get('u')  # noqa:HB201,HB202\n", False),
    "prefix": ("requests.get('u')  # NOQA: HB2\n", False),
    "another code": ("requests.get('u')  # noqa: HB999\n", True),
    "lower-case code": ("requests.get('u')  # noqa: hb201\n", True),
    "codes glued together": ("requests.get('u')  # noqa:HB201HB202\n", True),
    "noqa on the closing line of a call": ("requests.get(\n    'u'\n)  # noqa: HB201\n", True),
    "bare noqa on the closing line of a call": ("requests.get('u',  # noqa: E501\n             'x')  # noqa\n", True),
    "another code, the right one a line below": ("requests.get('u',  # noqa: E501\n    'x')  # noqa: HB201\n", True),
    "bare noqa as text in a string": ("requests.get('u', params='# noqa')\n", False),
    "noqa after a multi-line string": ("requests.get(\"\"\"\n  u\"\"\")  # noqa: HB201\n", False),
    "noqa after a backslash": ("x = requests.get('u') \\\n    or 1  # noqa: HB201\n", False),
}


@pytest.mark.parametrize("name", sorted(NOQA_CASES))
def test_noqa_is_read_as_flake8_reads_it(name):
    body, reported = NOQA_CASES[name]
    text = HEAD + "".join("    " + line for line in body.splitlines(keepends=True))
    assert flake8_still_reports(text) == ([(START, "HB201")] if reported else [])
    result = fix_source(text, "app.py")
    assert result.fixed["HB201"] == int(reported)
    assert ("timeout=" in result.source) is reported


def test_file_level_flake8_noqa_skips_the_file():
    text = "# flake8: noqa\n" + HEAD + "    return requests.get('u')\n"
    assert fix_source(text, "app.py").source == text


def test_select_and_timeouts():
    text = (
        "import requests, subprocess\nfrom flask import Flask\napp = Flask(__name__)\n"
        "@app.get('/')\n"
        "def index():\n"
        "    subprocess.run(['ls'])\n"
        "    return requests.get('https://x')\n"
    )
    only_204 = fix_source(text, select=["HB204"], timeouts=parse_timeouts({"HB204": "60"}))
    assert "subprocess.run(['ls'], timeout=60)" in only_204.source
    assert "requests.get('https://x')\n" in only_204.source
    assert {r.reason for r in only_204.remaining} == {"not selected"}
    everywhere = fix_source(text, timeouts=parse_timeouts({"*": "settings.TIMEOUT"}))
    assert everywhere.source.count("timeout=settings.TIMEOUT") == 2
    with pytest.raises(ValueError):
        parse_timeouts({"HB201": "(3.05,"})
    with pytest.raises(ValueError):
        parse_timeouts({"HB301": "3"})


def test_crlf_and_unparseable():
    text = (
        "import requests\r\nfrom flask import Flask\r\napp = Flask(__name__)\r\n"
        "@app.get('/')\r\ndef i():\r\n    requests.get('u')\r\n"
    )
    fixed = fix_source(text).source
    assert "requests.get('u', timeout=(3.05, 30))\r\n" in fixed and "\n" not in fixed.replace("\r\n", "")


# -- the command line ------------------------------------------------------------------


@pytest.fixture
def fix_cli(monkeypatch, capsys):
    """`flake8-handler-block fix ARGS` in this process, from `cwd` (a subprocess costs ~1 s)."""

    def run(*args, cwd):
        monkeypatch.chdir(cwd)
        capsys.readouterr()
        returncode = fix_main(list(args))
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, returncode, out, err)

    return run


@pytest.mark.slow
def test_python_dash_m_fix(tmp_path):
    (tmp_path / "views.py").write_text(HANDLER)
    result = subprocess.run(
        [sys.executable, "-m", "flake8_handler_block.fix", "--diff", "views.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert "timeout=(3.05, 30)" in result.stdout


HANDLER = (
    "import requests\nimport subprocess\nfrom flask import Flask\napp = Flask(__name__)\n\n"
    "@app.get('/')\ndef index():\n    subprocess.run(['ls'])\n    return requests.get('https://x').text\n"
)


def test_cli_diff_then_fix_in_place(tmp_path, fix_cli):
    pkg = tmp_path / "app"
    pkg.mkdir()
    (pkg / "views.py").write_text(HANDLER)
    (pkg / "notes.txt").write_text("requests.get(x)\n")

    diff = fix_cli("--diff", "app", cwd=tmp_path)
    assert diff.returncode == 1, diff.stderr
    assert "+    return requests.get('https://x', timeout=(3.05, 30)).text" in diff.stdout
    assert (pkg / "views.py").read_text() == HANDLER  # --diff writes nothing
    assert "would fix 2 finding(s) in 1 file(s)" in diff.stderr

    done = fix_cli("app", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "subprocess.run(['ls'], timeout=30)" in (pkg / "views.py").read_text()

    clean = fix_cli("--diff", "app", cwd=tmp_path)
    assert clean.returncode == 0 and clean.stdout == ""


def test_cli_pyproject_fix_timeout_and_cli_override(tmp_path, fix_cli):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.flake8-handler-block]\nfix-timeout = { HB201 = "HTTP_TIMEOUT", HB204 = 120 }\n'
    )
    (tmp_path / "views.py").write_text(HANDLER)
    out = fix_cli("--diff", "--timeout", "HB204=5", "views.py", cwd=tmp_path)
    assert out.returncode == 1, out.stderr
    assert "timeout=HTTP_TIMEOUT" in out.stdout and "subprocess.run(['ls'], timeout=5)" in out.stdout


def test_cli_errors(tmp_path, fix_cli):
    (tmp_path / "views.py").write_text(HANDLER)
    bad = fix_cli("--timeout", "(1,", "views.py", cwd=tmp_path)
    assert bad.returncode == 2 and "not a Python expression" in bad.stderr and "Traceback" not in bad.stderr
    (tmp_path / "pyproject.toml").write_text("[tool.flake8-handler-block]\nscope = 'nowhere'\n")
    conf = fix_cli("views.py", cwd=tmp_path)
    assert conf.returncode == 2 and "scope" in conf.stderr and "Traceback" not in conf.stderr
    (tmp_path / "pyproject.toml").unlink()
    (tmp_path / "broken.py").write_text("import requests\n@app.get('/')\ndef (:\n")
    (tmp_path / "latin1.py").write_bytes(b"import requests\n# caf\xe9\n")
    broken = fix_cli("broken.py", "latin1.py", "views.py", cwd=tmp_path)
    assert "broken.py: skipped: libcst could not parse" in broken.stderr  # as the linter's HB000
    assert broken.returncode == 2 and "latin1.py: error" in broken.stderr
    assert "timeout=" in (tmp_path / "views.py").read_text()  # the good file is still fixed


def test_cli_lists_what_it_leaves(tmp_path, fix_cli):
    (tmp_path / "views.py").write_text(
        "import threading\nfrom flask import Flask\napp = Flask(__name__)\nREADY = threading.Event()\n\n"
        "@app.get('/')\ndef index():\n    READY.wait()\n    return 'ok'\n"
    )
    out = fix_cli("-v", "views.py", cwd=tmp_path)
    assert out.returncode == 0
    assert "views.py:8:5: HB205 left alone (wait() returns quietly" in out.stderr
    assert "left alone: 1 finding(s)" in out.stderr


# -- statement rewrites: when they must not happen ---------------------------------------

FLASK = "import threading, requests\nfrom flask import Flask\napp = Flask(__name__)\nLOCK = threading.Lock()\n\n"


def _left(text: str):
    result = fix_source(text)
    return result, {(r.code, r.reason) for r in result.remaining}


def test_response_used_after_its_block_is_left_alone():
    text = FLASK + (
        "S = requests.Session()\n\n"
        "@app.get('/')\ndef index():\n"
        "    if True:\n"
        "        r = S.get('u', stream=True, timeout=5)\n"
        "        head = r.headers\n"
        "    return r.status_code\n"
    )
    result, left = _left(text)
    assert result.source == text
    assert ("HB101", "'r' is used outside the block that opened it") in left


def test_release_in_another_block_is_left_alone():
    text = FLASK + (
        "@app.get('/')\ndef index():\n"
        "    LOCK.acquire()\n"
        "    work()\n"
        "    if ready():\n"
        "        LOCK.release()\n"
    )
    result, left = _left(text)
    assert result.source == text
    assert ("HB403", "release() is not in the same block as acquire()") in left


def test_lock_fix_keeps_code_after_release_outside_the_with():
    text = FLASK + (
        "@app.get('/')\ndef index():\n"
        "    LOCK.acquire()\n"
        "    work()\n"
        "    LOCK.release()\n"
        "    return after()\n"
    )
    fixed = fix_source(text).source
    assert fixed.endswith("    with LOCK:\n        work()\n    return after()\n")


def test_signal_skipped_by_an_early_break_is_left_alone():
    text = (
        "import queue\nJOBS = queue.Queue()\n\n"
        "def worker():\n"
        "    while True:\n"
        "        item = JOBS.get()\n"
        "        if item is None:\n"
        "            break\n"
        "        send(item)\n"
        "        JOBS.task_done()\n"
        "    JOBS.task_done()  # the sentinel's\n\n"
        "def drain():\n"
        "    JOBS.join()\n"
    )
    result, left = _left(text)
    assert result.source == text
    assert any(code == "HB402" and "break/continue/return" in reason for code, reason in left)


def test_cli_keeps_encoding_and_line_endings(tmp_path, fix_cli):
    source = HANDLER.replace("\n", "\r\n").replace(
        "import requests", "# -*- coding: latin-1 -*-\r\nimport requests  # caf\xe9"
    )
    (tmp_path / "views.py").write_bytes(source.encode("latin-1"))
    assert fix_cli("views.py", cwd=tmp_path).returncode == 0
    fixed = (tmp_path / "views.py").read_bytes()
    assert b"caf\xe9" in fixed and b"timeout=30)\r\n" in fixed and fixed.count(b"\n") == fixed.count(b"\r\n")


def test_generator_argument_gets_parentheses():
    import libcst as cst

    from flake8_handler_block.fix.edits import append_keyword

    call = cst.parse_expression("as_completed(pool.submit(f) for f in fs)")
    new = append_keyword(call, "timeout", cst.parse_expression("10"))
    assert cst.Module(body=[]).code_for_node(new) == "as_completed((pool.submit(f) for f in fs), timeout=10)"


def test_parser_module_is_cheap_to_import():
    code = (
        "import sys, argparse, flake8_handler_block.fix as f; f.add_arguments(argparse.ArgumentParser());"
        " print('libcst' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr


def test_a_wrappers_call_gets_the_wrappers_own_timeout_argument(tmp_path, fix_cli):
    """A call of the project's wrapper that gives it no timeout gets one under the wrapper's name,
    in the place of a positional None, by keyword otherwise; the wrapper itself is left as it is."""
    http = (
        "import requests\n\n\n"
        "def fetch(url, timeout=None):\n    return requests.get(url, timeout=timeout)\n\n\n"
        "def fetch_json(url, *, wait=None):\n    return requests.get(url, timeout=wait).json()\n"
    )
    views = (
        "import requests\nfrom flask import Flask\n\nfrom .http import fetch, fetch_json\n\n"
        "app = Flask(__name__)\n\n\n@app.get('/')\ndef index():\n"
        "    fetch('https://a')\n    fetch('https://b', None)\n    fetch_json('https://c', wait=None)\n"
        "    return str(requests.codes.ok)\n"
    )
    write_project(tmp_path, {"pyproject.toml": "", "app/__init__.py": "", "app/http.py": http, "app/views.py": views})
    age(tmp_path)  # a checkout: files written this second are read again, never from the index
    done = fix_cli("app", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    fixed = (tmp_path / "app" / "views.py").read_text()
    assert "    fetch('https://a', timeout=(3.05, 30))\n" in fixed
    assert "    fetch('https://b', (3.05, 30))\n" in fixed
    assert "    fetch_json('https://c', wait=(3.05, 30))\n" in fixed
    assert (tmp_path / "app" / "http.py").read_text() == http


def test_a_call_handed_to_a_thread_gets_its_timeout_through_the_hand_off():
    """``to_thread``/``submit`` pass keywords on: the timeout goes on the hand-off. ``run_in_executor``
    passes none: left alone, with what to do instead."""
    text = FLASK + (
        "import asyncio, subprocess\n\n"
        "@app.get('/')\nasync def index():\n"
        "    await asyncio.to_thread(subprocess.run, ['ls'])\n"
        "    await asyncio.get_running_loop().run_in_executor(None, requests.get, 'u')\n"
    )
    result, left = _left(text)
    assert "await asyncio.to_thread(subprocess.run, ['ls'], timeout=" in result.source
    assert "run_in_executor(None, requests.get, 'u')\n" in result.source
    assert ("HB201", "run_in_executor() passes on no keywords: hand it functools.partial(..., timeout=...)") in left


def test_a_client_whose_http_client_holds_the_timeout_is_left_with_a_reason():
    """twilio's Client takes no timeout: `timeout=10` would be a TypeError, so the fix leaves the
    call alone and says why; python-gitlab's and jira's clients get their keyword."""
    path = next(p for p in FIXTURES if p.stem == "HB203_issue_trackers")
    text = path.read_text(encoding="utf-8")
    result = fix_source(text, str(path), fixture_config(text, path))
    new = result.source.splitlines()
    twilio = [i for i, line in enumerate(text.splitlines()) if "SMS = TwilioClient(" in line]
    assert twilio and new[twilio[0]] == text.splitlines()[twilio[0]]
    assert any("takes no timeout" in item.reason for item in result.remaining)
    assert any("gitlab.Gitlab(" in line and "timeout=" in line for line in new)


def test_langchain_ollama_models_are_left_and_ollama_clients_get_a_timeout():
    """ChatOllama and google-genai's Client take no timeout of their own (their client's settings
    do), so the fix leaves them with a reason; ollama's Client and AsyncClient get `timeout=`."""
    path = next(p for p in FIXTURES if p.stem == "HB203_local_models")
    text = path.read_text(encoding="utf-8")
    result = fix_source(text, str(path), fixture_config(text, path))
    old, new = text.splitlines(), result.source.splitlines()
    left = ("Ollama", "genai.")
    models = [i for i, line in enumerate(old)
              if "expect: HB203" in line and any(name in line.split("#")[0] for name in left)]
    assert len(models) > 3 and all(new[i] == old[i] for i in models)
    assert any("takes no timeout" in item.reason for item in result.remaining)
    clients = [i for i, line in enumerate(old) if "expect: HB203" in line and "Client(" in line.split("#")[0]
               and i not in models]
    code = [new[i].split("#")[0] for i in clients]
    assert code and all("timeout=" in line and "timeout=None" not in line for line in code)


def test_sends_through_the_settings_backend_are_left_to_the_setting(tmp_path: Path) -> None:
    """HB202 on `send_mail()` or a message's `send()` names a setting, not an argument: `fix` adds no
    `timeout=` there (neither takes one) and says why."""
    view = (
        "from django.core.mail import EmailMessage, send_mail\n\n"
        "def contact(request):\n"
        "    send_mail('Hi', request.POST['body'], None, ['team@example.org'])\n"
        "    EmailMessage('Copy', 'copy', None, ['a@example.org']).send()\n"
    )
    write_project(tmp_path, {"pyproject.toml": "", "app/__init__.py": "", "app/views.py": view,
                             "app/settings.py": "EMAIL_HOST = 'smtp.example.org'\n"})
    path = str(tmp_path / "app/views.py")
    assert [code for code, _ in _codes(view, filename=path)] == ["HB202", "HB202"]
    result = fix_source(view, path)
    assert result.source == view
    assert [item.reason for item in result.remaining] == [
        "it sends with the settings' backend: set EMAIL_TIMEOUT in the settings"] * 2
