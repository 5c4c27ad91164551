"""The pytest plugin: fixtures, the hangcheck marker, and a cheap import."""

import subprocess
import sys
import textwrap

import pytest

pytest_plugins = ["pytester"]

INNER = textwrap.dedent(
    '''
    import threading
    import urllib.request

    import pytest

    NEVER = threading.Event()


    def app(environ, start_response):
        path = environ["PATH_INFO"]
        if path == "/stuck":
            NEVER.wait()
        if path == "/leak":
            threading.Thread(target=NEVER.wait, args=(3,)).start()
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]


    @pytest.mark.hangcheck(deadline=0.3)
    def test_stuck(hb_server):
        server = hb_server(app).start()
        server.fire("GET", "/stuck")
        assert server.wait_requests(1, 5)


    @pytest.mark.hangcheck(deadline=0.3)
    def test_leak(hb_server):
        server = hb_server(app).start()
        assert server.request("GET", "/leak").status == 200


    @pytest.mark.hangcheck(deadline=0.3)
    def test_clean(hb_server):
        with hb_server(app) as server:
            assert server.request("GET", "/").status == 200


    @pytest.mark.hangcheck(deadline=0.3, timeout=1.0)
    def test_body_timeout(hb_server):
        server = hb_server(app).start()
        urllib.request.urlopen(server.url + "/stuck")  # no timeout: the plugin hangs up on it


    @pytest.mark.hangcheck(0.3)
    def test_thread_left_by_the_test():
        threading.Thread(target=NEVER.wait, args=(3,), name="left-behind").start()


    @pytest.mark.hangcheck(deadline=0.1, timeout=0.5)
    def test_body_stuck_outside_any_server():
        threading.Event().wait()  # nothing to hang up: SIGALRM fails the test instead


    def test_unmarked_is_not_checked(hb_server):
        server = hb_server(app, deadline=0.1).start()
        server.fire("GET", "/stuck")
        assert server.wait_requests(1, 5)
        assert not server.started or server.in_flight == 1


    def test_blackhole_fixture(hb_blackhole):
        assert hb_blackhole.url.startswith("http://127.0.0.1:")
        assert hb_blackhole.mode == "silent"


    def test_zz_wake_everything():
        NEVER.set()
    '''
)


@pytest.mark.slow  # a pytester run in a subprocess with stuck handlers: ~7 s
def test_hangcheck_marker_fails_stuck_and_leaking_tests(pytester):
    pytester.makepyfile(test_inner=INNER)
    # --strict-markers: an unregistered hangcheck marker would be an error
    result = pytester.runpytest_subprocess("--strict-markers", "-p", "no:cacheprovider", "-rf", timeout=60)
    result.assert_outcomes(passed=4, failed=5)
    out = result.stdout.str()
    result.stdout.fnmatch_lines([
        "*hangcheck: handler 'app' stuck * at *test_inner.py:* in app: NEVER.wait() [[]event wait[]]"
        " during GET /stuck*",
    ])
    assert "hangcheck: leak: thread 'Thread-" in out and "(daemon) started at" in out
    assert "hangcheck: leak: thread 'left-behind' (non-daemon) started at" in out
    assert "hangcheck: test body exceeded timeout=1.0s" in out
    assert "hangcheck: test body still running 2.5s after it started" in out  # the session went on
    assert "Captured hangcheck call" in out and 'File "' in out  # the full stacks
    assert "test_clean PASSED" not in out  # (no -v) but it must not be among the failures:
    assert "FAILED test_inner.py::test_clean" not in out
    assert "FAILED test_inner.py::test_unmarked_is_not_checked" not in out


def test_plugin_import_is_cheap_and_harness_imports_no_linter():
    code = (
        "import sys, pkgutil, importlib\n"
        "import flake8_handler_block.harness.pytest_plugin\n"
        "heavy = ('flask', 'starlette', 'httpx', 'requests', 'libcst', 'flake8',\n"
        "         'flake8_handler_block.harness.server')\n"
        "print([m for m in heavy if m in sys.modules])\n"
        "import flake8_handler_block.harness as h\n"
        "for m in pkgutil.iter_modules(h.__path__):\n"
        "    importlib.import_module('flake8_handler_block.harness.' + m.name)\n"
        "print([m for m in ('libcst', 'flake8') if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["[]", "[]"]
