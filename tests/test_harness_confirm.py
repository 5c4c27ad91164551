"""The confirm CLI end to end: a child process per finding, on the apps in testdata/harness/."""

import argparse
import json
import os
import re
import subprocess
import sys

import pytest

from flake8_handler_block.harness import confirm

TESTDATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "testdata", "harness")
CLI = [sys.executable, "-m", "flake8_handler_block.harness.confirm"]


def run_cli(*args, stdin=None, timeout=90):
    return subprocess.run([*CLI, *args], cwd=TESTDATA, input=stdin, capture_output=True, text=True,
                          timeout=timeout)


def lines_by_location(stdout):
    return {line.split(" ", 1)[0]: line for line in stdout.splitlines()}


@pytest.mark.slow
def test_positional_findings_on_a_flask_app():
    result = run_cli(
        "jobs_app.py:19", "jobs_app.py:25", "jobs_app.py:30", "jobs_app.py:38", "jobs_app.py:44",
        "jobs_app.py:49", "--app", "jobs_app:app", "--deadline", "0.5", "--jobs", "3",
    )
    assert result.returncode == 1, result.stderr  # two findings are not confirmed
    got = lines_by_location(result.stdout)
    assert re.fullmatch(
        r"jobs_app\.py:19 HB301 confirmed: handler 'enqueue' stuck 0\.\d\ds at jobs_app\.py:19 in enqueue: "
        r"JOBS\.put\(job\) \[queue put: full\]",
        got["jobs_app.py:19"],
    ), got["jobs_app.py:19"]
    assert got["jobs_app.py:25"].startswith("jobs_app.py:25 HB201 confirmed: handler 'stock' stuck")
    assert got["jobs_app.py:25"].endswith("[socket read]")  # the BlackHole made the missing timeout hang
    assert got["jobs_app.py:30"].startswith("jobs_app.py:30 HB403 confirmed: handler 'report' stuck")
    assert got["jobs_app.py:30"].endswith("LOCK.acquire() [lock acquire]")  # the second request
    assert got["jobs_app.py:38"].startswith("jobs_app.py:38 HB501 confirmed: thread ")  # made at 38, started at 39
    assert "(daemon) started at jobs_app.py:39" in got["jobs_app.py:38"]
    assert got["jobs_app.py:44"].startswith("jobs_app.py:44 not-reproduced: 8 request(s) to GET /health")
    assert got["jobs_app.py:49"].startswith("jobs_app.py:49 no-route: ")


@pytest.mark.slow
def test_from_flake8_on_stdin_all_confirmed_as_json():
    flake8_output = "\n".join([
        "./jobs_app.py:19:5: HB301 blocking put() on bounded queue 'JOBS' that nothing consumes",
        "./jobs_app.py:25:12: HB201 requests.get() has no timeout: handler 'stock' can block forever",
        "./jobs_app.py:30:5: HB403 LOCK.acquire() without release() in finally",
        "./jobs_app.py:1:80: E501 line too long (90 > 79 characters)",
    ]) + "\n"
    result = run_cli("--from-flake8", "-", "--app", "jobs_app:app", "--deadline", "0.5", "--json", "--jobs", "3",
                     stdin=flake8_output)
    assert result.returncode == 0, result.stdout + result.stderr
    verdicts = json.loads(result.stdout)
    assert [(v["line"], v["code"], v["verdict"]) for v in verdicts] == [
        (19, "HB301", "confirmed"), (25, "HB201", "confirmed"), (30, "HB403", "confirmed"),
    ]
    assert verdicts[0]["observed"]["state"] == "queue put: full"
    assert verdicts[0]["observed"]["site"]["line"] == 19
    assert verdicts[0]["routes"] == ["POST /jobs"]


@pytest.mark.slow
def test_from_flake8_file_with_a_code_that_does_not_match_what_happens(tmp_path):
    report = tmp_path / "flake8.txt"
    report.write_text("jobs_app.py:25:12: HB304 loop with no way out\njobs_app.py:19:5: HB301 put\n")
    result = run_cli("--from-flake8", str(report), "--app", "jobs_app:app", "--deadline", "0.5", "--jobs", "2")
    assert result.returncode == 1
    got = lines_by_location(result.stdout)
    assert got["jobs_app.py:25"].startswith("jobs_app.py:25 HB304 not-reproduced: ")  # stuck, but not in a loop
    assert got["jobs_app.py:19"].startswith("jobs_app.py:19 HB301 confirmed: ")


@pytest.mark.slow
def test_passthrough_with_an_explicit_route_does_not_hang():
    # with the real network the unknown host fails fast: nothing hangs, nothing is claimed
    result = run_cli("jobs_app.py:25", "--app", "jobs_app.py:app", "--route", "GET /stock", "--outbound",
                     "passthrough", "--deadline", "0.5", "--repeat", "2")
    assert result.returncode == 1
    assert result.stdout.startswith("jobs_app.py:25 not-reproduced: 2 request(s) to GET /stock")


# Known limit: on Python 3.9 a task created and dropped by a handler is not seen as left
# pending (HB502 comes back not-reproduced); 3.10 and later are covered.
OLD_ASYNCIO = sys.version_info < (3, 10)
DROPPED_TASK_ON_39 = "HB502: a dropped asyncio task is not observed on Python 3.9 (known harness limit)"


@pytest.mark.slow
def test_async_app_findings_are_confirmed():
    result = run_cli("async_app.py:22", "async_app.py:27", "async_app.py:32", "async_app.py:39",
                     "--app", "async_app:app", "--deadline", "0.5", "--jobs", "4")
    got = lines_by_location(result.stdout)
    if OLD_ASYNCIO and "async_app.py:32 not-reproduced" in got.get("async_app.py:32", ""):
        pytest.xfail(DROPPED_TASK_ON_39)
    assert result.returncode == 0, result.stdout + result.stderr
    assert got["async_app.py:22"].startswith("async_app.py:22 HB301 confirmed: handler 'enqueue' stuck")
    assert got["async_app.py:27"].startswith("async_app.py:27 HB601 confirmed: ")
    assert got["async_app.py:27"].endswith("time.sleep(1.0) [sleep]")
    assert got["async_app.py:32"].startswith("async_app.py:32 HB502 confirmed: asyncio task")
    assert got["async_app.py:39"].startswith("async_app.py:39 HB602 confirmed: ")
    assert "cancellation swallowed" in got["async_app.py:39"]


@pytest.mark.slow
def test_an_app_that_cannot_be_imported_is_inconclusive():
    result = run_cli("jobs_app.py:19", "--app", "no_such_module:app")
    assert result.returncode == 3
    assert result.stdout.startswith("jobs_app.py:19 inconclusive: cannot import no_such_module:app: "
                                    "ModuleNotFoundError")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--app", "jobs_app:app"], "give FILE:LINE findings or --from-flake8"),
        (["jobs_app.py:19", "--app", "jobs_app"], "--app is MODULE:ATTR"),
        (["jobs_app.py", "--app", "jobs_app:app"], "a finding is FILE:LINE"),
        (["jobs_app.py:19", "--app", "jobs_app:app", "--route", "GET"], 'a route is "METHOD /path"'),
        (["missing.py:3", "--app", "jobs_app:app"], "no such file: missing.py"),
        (["jobs_app.py:19", "--app", "jobs_app:app", "--deadline", "0"], "--deadline and --import-timeout must be > 0"),
    ],
)
def test_usage_errors_exit_2(argv, message, capsys, monkeypatch):
    monkeypatch.chdir(TESTDATA)
    assert confirm.main(argv) == 2
    assert message in capsys.readouterr().err


def test_argparse_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        confirm.main(["jobs_app.py:19"])  # --app is required
    assert exc.value.code == 2


def test_add_arguments_plugs_into_a_subcommand():
    parser = argparse.ArgumentParser(prog="flake8-handler-block")
    sub = parser.add_subparsers(dest="command")
    confirm.add_arguments(sub.add_parser("confirm"))
    args = parser.parse_args(["confirm", "app.py:20", "--app", "app:app", "--route", "POST /jobs",
                              "--deadline", "2", "--outbound", "passthrough", "--json"])
    assert (args.findings, args.app, args.route, args.deadline, args.outbound, args.json) == (
        ["app.py:20"], "app:app", ["POST /jobs"], 2.0, "passthrough", True)
    assert args.from_flake8 is None


def test_flake8_lines_are_parsed():
    findings, skipped = confirm.read_flake8([
        "app.py:20:5: HB301 blocking put()\n", "src/x.py:3:1: E302 expected 2 blank lines\n", "garbage\n",
    ])
    assert [(f.file, f.line, f.code) for f in findings] == [("app.py", 20, "HB301")]
    assert skipped == 2


@pytest.mark.slow
def test_what_could_not_run_is_inconclusive_with_the_reason():
    flask = os.path.join("flask_factory", "jobs.py")
    line = next(i for i, t in enumerate(open(os.path.join(TESTDATA, flask)), 1) if "# defect: HB301" in t)
    factory = run_cli(f"{flask}:{line}", "--app", "flask_factory:create_app", "--deadline", "0.5")
    assert factory.returncode == 3, factory.stdout + factory.stderr
    assert "inconclusive: flask_factory:create_app is a function taking no arguments" in factory.stdout
    assert "give --app flask_factory:create_app()" in factory.stdout

    wrong_route = run_cli(f"{flask}:{line}", "--app", "flask_factory:create_app()", "--deadline", "0.5",
                          "--route", "enqueue=POST /jobs/x")  # <int:job_id> does not match: 404
    assert wrong_route.returncode == 3, wrong_route.stdout + wrong_route.stderr
    assert wrong_route.stdout.strip().endswith("never ran: 2 request(s) to POST /jobs/x answered 404x2")

    hung = run_cli("jobs_app.py:19", "--app", "hangs_at_import:app", "--import-timeout", "1")
    assert hung.returncode == 3
    assert ("inconclusive: importing hangs_at_import:app still running after 1s (the app hangs at import) "
            "at hangs_at_import.py:8 in <module>: READY.wait() [event wait]") in hung.stdout

    killed = run_cli("jobs_app.py:19", "--app", "hangs_at_import:app", "--import-timeout", "30", "--timeout", "3")
    assert killed.returncode == 3
    assert "inconclusive: the confirmation child was still running after 3s: killed" in killed.stdout

    no_shape = run_cli("--from-flake8", "-", "--app", "jobs_app:app", stdin="jobs_app.py:19:5: HB302 put\n")
    assert no_shape.returncode == 3
    assert "HB302 inconclusive: HB302 has no run-time signature" in no_shape.stdout
