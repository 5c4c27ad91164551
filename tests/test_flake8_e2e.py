"""The plugin through the real `flake8` command: entry point, noqa, select/ignore, -j2, stdin.

Each test starts flake8 in a subprocess (about a second each). The default run keeps the
entry point with the fixture's markers and noqa; stdin, -j2, the option, configuration
and encoding tests are marked slow and run in `.ci/run` (`pytest -m slow`).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from fixtures import ROOT, TESTDATA, fixture_markers
from markers import Finding, compare

FLAKE8 = [sys.executable, "-m", "flake8", "--isolated"]
FINDING = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<message>(?P<code>HB\d{3}) .*)$")

# HB204 is reported only in code a handler reaches (issue 11): a plain job is silent by default.
JOB = "import subprocess\n\ndef nightly():\n    return subprocess.run(['make', 'report'])\n"

HANDLER = '''\
import requests
from flask import Flask

app = Flask(__name__)


@app.get("/users")
def users():
    a = requests.get(URL)
    b = requests.get(URL)  # noqa: HB201
    c = requests.get(URL)  # noqa: E501
    d = requests.get(URL, timeout=None)  # noqa
    return a, b, c, d
'''


def flake8(*args, cwd=None, stdin=None, isolated=True):
    command = FLAKE8 if isolated else FLAKE8[:-1]
    return subprocess.run(
        [*command, *args], cwd=cwd, input=stdin, capture_output=True, text=True, timeout=120
    )


def findings(output: str):
    return {
        (Path(m["path"]).name, int(m["line"]), m["code"])
        for m in map(FINDING.match, output.splitlines())
        if m
    }


@pytest.fixture()
def app_file(tmp_path):
    path = tmp_path / "app.py"
    path.write_text(HANDLER)
    return path


@pytest.mark.slow
def test_version_lists_the_plugin():
    result = flake8("--version")
    assert "flake8-handler-block" in result.stdout


def test_entry_point_reports_the_fixture_markers():
    """Through flake8's own reporting: codes, message fragments and 1-based columns of the markers."""
    path = TESTDATA / "HB201.py"
    result = flake8("--select", "HB", str(path))
    reported = [
        Finding(int(m["line"]), int(m["col"]), m["code"], m["message"])
        for m in map(FINDING.match, result.stdout.splitlines())
        if m
    ]
    comparison = compare(fixture_markers(path), reported)
    assert reported, result.stdout + result.stderr
    if not comparison.exact:
        pytest.fail(comparison.report(path.read_text(), str(path.relative_to(ROOT))), pytrace=False)
    assert result.returncode == 1


def test_noqa_is_honoured(app_file):
    result = flake8("--select", "HB", str(app_file))
    assert findings(result.stdout) == {("app.py", 9, "HB201"), ("app.py", 11, "HB201")}


@pytest.mark.slow
def test_select_and_extend_ignore(app_file):
    assert findings(flake8("--select", "E501", str(app_file)).stdout) == set()
    assert findings(flake8("--select", "HB2", str(app_file)).stdout)
    ignored = flake8("--select", "HB,E", "--extend-ignore", "HB201", str(app_file))
    assert findings(ignored.stdout) == set()


@pytest.mark.slow
def test_parallel_jobs_match_serial():
    paths = [str(p) for p in sorted(TESTDATA.glob("HB20*.py"))]
    serial = flake8("--select", "HB", "-j1", *paths)
    parallel = flake8("--select", "HB", "-j2", *paths)
    assert findings(serial.stdout) and findings(serial.stdout) == findings(parallel.stdout)


@pytest.mark.slow
def test_stdin(app_file):
    result = flake8("--select", "HB", "-", stdin=app_file.read_text())
    assert findings(result.stdout) == {("stdin", 9, "HB201"), ("stdin", 11, "HB201")}


@pytest.mark.slow
def test_non_utf8_file_with_coding_cookie(tmp_path):
    path = tmp_path / "legacy.py"
    source = "# -*- coding: latin-1 -*-\n" + HANDLER.replace("users():", "users():\n    name = 'caf\xe9'")
    path.write_bytes(source.encode("latin-1"))
    result = flake8("--select", "HB", str(path))
    assert "Traceback" not in result.stderr
    assert ("legacy.py", 11, "HB201") in findings(result.stdout)


@pytest.mark.slow
def test_undecodable_file_does_not_crash(tmp_path):
    path = tmp_path / "binary.py"
    # No NUL byte: flake8 itself (not this plugin) raises on one under Python < 3.12.
    path.write_bytes(b"import requests\n\xff\xfegarbage = requests.get(u)\n")
    result = flake8("--select", "HB,E9", str(path))
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.slow
def test_scope_option_on_the_command_line(tmp_path):
    path = tmp_path / "jobs.py"
    path.write_text(JOB)
    assert findings(flake8("--select", "HB", str(path)).stdout) == set()
    assert findings(flake8("--select", "HB", "--hb-scope", "all", str(path)).stdout) == {("jobs.py", 4, "HB204")}


@pytest.mark.slow
def test_pyproject_configuration_and_flake8_option_wins(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.flake8-handler-block]\nscope = "all"\n')
    path = tmp_path / "jobs.py"
    path.write_text(JOB)
    configured = flake8("--select", "HB", "jobs.py", cwd=tmp_path, isolated=False)
    assert findings(configured.stdout) == {("jobs.py", 4, "HB204")}
    narrowed = flake8("--select", "HB", "--hb-scope", "handlers", "jobs.py", cwd=tmp_path, isolated=False)
    assert findings(narrowed.stdout) == set()
    isolated = flake8("--select", "HB", "jobs.py", cwd=tmp_path)
    assert findings(isolated.stdout) == set()


@pytest.mark.slow
def test_setup_cfg_option(tmp_path):
    (tmp_path / "setup.cfg").write_text("[flake8]\nhb-handler-decorators = task_endpoint\n")
    path = tmp_path / "jobs.py"
    path.write_text(  # HB204 looks only where a handler reaches: the option makes run() one
        "import subprocess\nfrom .registry import task_endpoint\n\n"
        "@task_endpoint\ndef run():\n    return subprocess.run(['convert'])\n"
    )
    result = flake8("--select", "HB", "jobs.py", cwd=tmp_path, isolated=False)
    assert findings(result.stdout) == {("jobs.py", 6, "HB204")}
    path.with_name("setup.cfg").write_text("[flake8]\n")
    assert findings(flake8("--select", "HB", "jobs.py", cwd=tmp_path, isolated=False).stdout) == set()


@pytest.mark.slow
@pytest.mark.parametrize(
    "table, key",
    [
        ('scope = "everywhere"', "scope"),
        ("handler-decorators = 3", "handler-decorators"),
        ('extra-timeout-calls = ["pkg.fetch:x"]', "extra-timeout-calls"),
        ('nonsense = "x"', "nonsense"),
    ],
)
def test_bad_pyproject_value_is_one_clear_line(tmp_path, table, key):
    (tmp_path / "pyproject.toml").write_text(f"[tool.flake8-handler-block]\n{table}\n")
    (tmp_path / "app.py").write_text(HANDLER)
    result = flake8("--select", "HB", "app.py", cwd=tmp_path, isolated=False)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and key in lines[0] and "pyproject.toml" in lines[0]


@pytest.mark.slow
def test_malformed_pyproject_is_one_clear_line(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.flake8-handler-block\nscope = \n")
    (tmp_path / "app.py").write_text(HANDLER)
    result = flake8("--select", "HB", "app.py", cwd=tmp_path, isolated=False)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "pyproject.toml" in lines[0] and "Traceback" not in result.stderr


@pytest.mark.slow
def test_bad_command_line_value(app_file):
    result = flake8("--select", "HB", "--hb-scope", "nowhere", str(app_file))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "scope" in result.stderr and "--hb-scope" in result.stderr
