"""confirm on three realistic apps (FastAPI; Flask with a factory and a blueprint; Django), each
defect beside a correct look-alike twin: every defect confirmed with its code, no twin confirmed,
every run inside its time budget and nothing left running.

The expectations are the `# defect: CODE` / `# twin: CODE` markers in the apps themselves
(testdata/harness/), read with tokenize.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time
import tokenize
from typing import Dict, List, Tuple

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("django")

HERE = os.path.dirname(os.path.abspath(__file__))
TESTDATA = os.path.join(os.path.dirname(HERE), "testdata", "harness")
CLI = [sys.executable, "-m", "flake8_handler_block.harness.confirm"]
DEADLINE = 0.6
APPS = {
    "fastapi": ("fastapi_shop:app", ["fastapi_shop.py"]),
    "flask": ("flask_factory:create_app()", ["flask_factory/jobs.py"]),
    "django": ("django_site.wsgi:application", ["django_site/views.py"]),
}

Marker = Tuple[str, int, str, str]  # (file, line, "defect"|"twin", code)


def markers(files: List[str]) -> List[Marker]:
    found: List[Marker] = []
    for name in files:
        with open(os.path.join(TESTDATA, name), encoding="utf-8") as fh:
            for tok in tokenize.generate_tokens(io.StringIO(fh.read()).readline):
                if tok.type != tokenize.COMMENT:
                    continue
                text = tok.string.lstrip("#").strip()
                for kind in ("defect", "twin"):
                    if text.startswith(kind + ":"):
                        found.append((name, tok.start[0], kind, text.split(":", 1)[1].strip()))
    return found


def run_confirm(args: List[str], stdin: str = "") -> Tuple[subprocess.CompletedProcess, float]:
    start = time.monotonic()
    result = subprocess.run([*CLI, *args, "--deadline", str(DEADLINE), "--json", "--jobs", "2"],
                            cwd=TESTDATA, input=stdin, capture_output=True, text=True, timeout=400)
    return result, time.monotonic() - start


def verdicts(result: subprocess.CompletedProcess) -> Dict[Tuple[str, int], dict]:
    try:
        items = json.loads(result.stdout)
    except ValueError:
        raise AssertionError(f"no JSON from confirm: {result.stdout}\n{result.stderr}") from None
    return {(os.path.normpath(v["file"]), v["line"]): v for v in items}


SLEEP_CHILD = re.compile(r"\ssleep 30$")  # what the apps' subprocess defects start (not `sleep 300`)


def leftover_children() -> List[str]:
    """Confirmation children (or what they started) still alive after confirm returned."""
    out = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines()
            if "flake8_handler_block.harness.confirm --child" in line or SLEEP_CHILD.search(line)]


def check(marks: List[Marker], got: Dict[Tuple[str, int], dict]) -> List[str]:
    """Wrong verdicts: a defect not confirmed (or confirmed as another code), a twin confirmed."""
    wrong = []
    for name, line, kind, code in marks:
        v = got[(os.path.normpath(name), line)]
        ok = (v["verdict"] == "confirmed" and v["code"] == code) if kind == "defect" else (
            v["verdict"] != "confirmed")
        if not ok:
            wrong.append(f"{kind} {code} {name}:{line} -> {v['verdict']} {v['code']}: {v['detail']}")
    return wrong


RESPONSE_LEAKS = ("HB101", "HB102")  # code-less, these need --outbound headers to show


@pytest.mark.slow
@pytest.mark.parametrize("app", sorted(APPS))
@pytest.mark.parametrize("mode", ["direct", "from-flake8"])
def test_every_defect_confirmed_and_no_twin(app: str, mode: str) -> None:
    spec, files = APPS[app]
    marks = markers(files)
    assert marks, "the app has no markers"
    got: Dict[Tuple[str, int], dict] = {}
    took = 0.0
    if mode == "direct":  # FILE:LINE without a code: the code is inferred from what is observed
        for outbound in ("auto", "headers"):
            chosen = [m for m in marks if (m[3] in RESPONSE_LEAKS) == (outbound == "headers")]
            if not chosen:
                continue
            result, seconds = run_confirm([*(f"{name}:{line}" for name, line, _, _ in chosen), "--app", spec,
                                           "--outbound", outbound])
            got.update(verdicts(result))
            took += seconds
            assert result.returncode in (1, 3), result.stderr
    else:
        flake8 = "".join(f"./{name}:{line}:5: {code} finding\n" for name, line, _, code in marks)
        result, took = run_confirm(["--from-flake8", "-", "--app", spec], stdin=flake8)
        got = verdicts(result)
        assert result.returncode == 1, result.stderr  # twins are not reproduced
    wrong = check(marks, got)
    if wrong and sys.version_info < (3, 10) and all(" HB502 " in item for item in wrong):
        pytest.xfail("HB502: a dropped asyncio task is not observed on Python 3.9 (known harness limit)")
    assert not wrong, "\n".join(wrong)
    assert not leftover_children()
    # each child: import + warm-up + a few requests of DEADLINE each; two run at a time
    assert took < 10 + len(marks) * (DEADLINE * 3 + 2.5) / 2, took


PLUGIN_TEST = '''
import os
import sys

import pytest

sys.path.insert(0, {testdata!r})
from flake8_handler_block.harness.routes import discover

{load}
MARKS = {marks!r}
RESPONSE_LEAKS = {leaks!r}


@pytest.mark.parametrize("mark", MARKS, ids=[f"{{m[2]}}-{{m[3]}}-{{m[1]}}" for m in MARKS])
@pytest.mark.hangcheck(deadline={deadline})
def test_route(hb_server, mark):
    name, line, _, code = mark
    targets, _ = discover(APP, os.path.join({testdata!r}, name), line)
    assert targets, "no route"
    target = targets[0]
    server = hb_server(APP, outbound="headers" if code in RESPONSE_LEAKS else "blackhole").start()
    for _ in range(2):
        call = server.fire(target.method, target.path, (target.body or "{{}}").encode(),
                           {{"Content-Type": "application/json", "Cookie": "csrftoken=" + "a" * 32,
                            "X-CSRFToken": "a" * 32}})
        if not call.wait({deadline}):
            break
'''

LOADERS = {
    "fastapi": "from fastapi_shop import app as APP",
    "flask": "from flask_factory import create_app\nAPP = create_app()",
    "django": "from django_site.wsgi import application as APP",
}


@pytest.mark.slow
@pytest.mark.parametrize("app", sorted(APPS))
def test_hangcheck_fails_every_defect_and_passes_every_twin(app: str, tmp_path) -> None:
    _, files = APPS[app]
    marks = markers(files)
    test_file = tmp_path / f"test_{app}_routes.py"
    test_file.write_text(PLUGIN_TEST.format(testdata=TESTDATA, load=LOADERS[app], marks=marks,
                                            leaks=RESPONSE_LEAKS, deadline=DEADLINE))
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", str(test_file)],
                            cwd=str(tmp_path), capture_output=True, text=True, timeout=300)
    took = time.monotonic() - start
    out = result.stdout
    wrong = []
    for name, line, kind, code in marks:
        test_id = f"test_route[{kind}-{code}-{line}]"
        failed = f"FAILED {test_file.name}::{test_id}" in out
        section = out.split(test_id, 1)[1][:3000] if test_id in out else ""
        if kind == "defect" and not failed:
            wrong.append(f"defect {code} {name}:{line} passed")
        if kind == "twin" and failed and (code != "HB602" or "cancellation" in section):
            wrong.append(f"twin {code} {name}:{line} failed")
    assert not wrong, "\n".join(wrong) + "\n" + out[-6000:]
    assert took < 20 + len(marks) * (DEADLINE * 3 + 1), took
