"""HB205 leaves a helper's wait for futures (or a thread it started) alone when the work waited for provably ends
(project/ends.py): the submitted function, a few calls down, makes no catalogue call without its
timeout and no call the graph cannot place. A handler's own wait is reported whatever the work.
Each form has a look-alike that stays reported."""

from __future__ import annotations

from pathlib import Path

from flake8_handler_block.config import Config
from flake8_handler_block.engine import check_source
from markers import compare, findings, read_markers
from project_helpers import write_project

NET = '''\
import requests


def _session():
    return requests.Session()


def http_request(method, url, timeout=None, **kwargs):
    """A wrapper: the caller's timeout reaches the request."""
    return _session().request(method, url, timeout=timeout, **kwargs)


def send(url, **kwargs):
    return requests.post(url, **kwargs)


def get(url):
    return requests.get(url)
'''

CHECKS = '''\
import requests


def check(url):
    return requests.head(url).status_code
'''

WORK = '''\
import json
import subprocess

import requests

from .net import http_request, send


class Report:
    def __init__(self, rows):
        self.rows = rows

    def total(self):
        return sum(row["n"] for row in self.rows)


class Summary(Report):
    def __init__(self, rows):
        super().__init__(rows)
        self.title = ", ".join(str(r) for r in rows)


def render(rows):
    text = json.dumps(rows).strip()
    return Summary(rows).total(), text


def fetch_timed(url):
    return http_request("GET", url, timeout=10).json()


def post_timed(url):
    return send(url, json={}, timeout=5)


def fetch_untimed(url):
    return http_request("GET", url).json()


def _raise_redacted(exc, url):
    raise type(exc)(f"{type(exc).__name__} for {url.split('?')[0]}") from None


def fetch_redacted(url):
    try:
        return http_request("GET", url, timeout=10).json()
    except requests.RequestException as exc:
        _raise_redacted(exc, url)


def convert(path):
    return subprocess.run(["convert", path], timeout=60, check=True)


def convert_forever(path):
    return subprocess.run(["convert", path], check=True)


def run_hook(hook, value):
    return hook(value)


def dispatch(kind, url):
    from . import checks
    checker = getattr(checks, kind)
    return checker(url)


def check_by_name(target, url):
    return target.check(url)


def limit_of(client, code):
    try:
        return client.get_quota(code)["Value"]
    except requests.HTTPError as error:
        return error.response.headers.get("Retry-After")
'''

VIEWS = '''\
import threading
from concurrent.futures import ThreadPoolExecutor, as_completed, wait

from flask import Flask

from .work import (
    check_by_name, convert, convert_forever, dispatch, fetch_redacted, fetch_timed, fetch_untimed, limit_of,
    post_timed, render, run_hook,
)

app = Flask(__name__)
POOL = ThreadPoolExecutor(4)


def render_pair():
    with ThreadPoolExecutor() as pool:
        first = pool.submit(render, [1])
        second = pool.submit(render, [2])
        left = first.result()  # ok: render() only computes, through a subclass and super().__init__()
        right = second.result()  # ok: same work
    return left, right


def fetch_all(urls):
    futures = {POOL.submit(fetch_timed, url): url for url in urls}
    done = [f.result() for f in as_completed(futures)]  # ok: the wrapper gets timeout=10
    posted = [POOL.submit(post_timed, url) for url in urls]
    wait(posted)  # ok: **kwargs carry timeout=5 to requests.post()
    redacted = [POOL.submit(fetch_redacted, url) for url in urls]
    wait(redacted)  # ok: the exception it raises is built by `type(exc)(...)`, which waits on nothing
    slow = [POOL.submit(fetch_untimed, url) for url in urls]
    wait(slow)  # expect: HB205 "wait() has no timeout" "handler 'fetch' via fetch_all()" "if a future never finishes"
    return done


def convert_each(paths):
    jobs = []
    for path in paths:
        jobs.append(POOL.submit(convert, path))
    wait(jobs)  # ok: subprocess.run(timeout=60)
    forever = []
    for path in paths:
        forever.append(POOL.submit(convert_forever, path))
    wait(forever)  # expect: HB205 "wait() has no timeout" "via convert_each()"


def run_hooks(hook, kind, target, url):
    hooked = POOL.submit(run_hook, hook, url)
    value = hooked.result()  # expect: HB205 "hooked.result() has no timeout" "via run_hooks()"
    found = POOL.submit(dispatch, kind, url)
    checked = found.result()  # expect: HB205 "found.result() has no timeout" "via run_hooks()"
    named = POOL.submit(check_by_name, target, url)
    status = named.result()  # expect: HB205 "named.result() has no timeout" "via run_hooks()"
    return value, checked, status


def limits(client, codes):
    found = {}
    future_to_code = {}
    for code in codes:
        future = POOL.submit(limit_of, client, code)
        future_to_code[future] = code
    for future in as_completed(future_to_code):  # ok: the loop's futures are the dict's, and limit_of() ends
        found[future_to_code[future]] = future.result()
    forever = {}
    for code in codes:
        job = POOL.submit(convert_forever, code)
        forever[job] = code
    for job in as_completed(forever):  # expect: HB205 "as_completed() has no timeout" "via limits()"
        job.result()
    return found


def render_in_thread(rows):
    result = {}

    def work():
        result["total"] = render(rows)

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join()  # ok: the thread's work (a nested function) only computes
    slow = threading.Thread(target=fetch_untimed, args=("http://upstream",))
    slow.start()
    slow.join()  # expect: HB205 "slow.join() has no timeout" "via render_in_thread()"
    return result


def join_given(thread):
    thread.join()  # expect: HB205 "thread.join() has no timeout" "via join_given()"


def gather(futures):
    return [f.result() for f in as_completed(futures)]  # expect: HB205 "as_completed() has no timeout" "via gather()"


@app.post("/render")
def render_all():
    left, right = render_pair()
    extra = POOL.submit(render, [3])
    more = extra.result()  # expect: HB205 "extra.result() has no timeout" "handler 'render_all' blocks forever"
    return {"left": left, "right": right, "more": more}


@app.post("/fetch")
def fetch(urls):
    return {"done": fetch_all(urls)}


@app.post("/convert")
def convert_all(paths):
    convert_each(paths)
    return "ok"


@app.post("/hooks")
def hooks(hook, kind, target, url):
    return {"values": run_hooks(hook, kind, target, url)}


@app.post("/limits")
def quotas(client, codes):
    return limits(client, codes)


@app.post("/threaded")
def threaded(rows):
    own = threading.Thread(target=render, args=(rows,))
    own.start()
    own.join()  # expect: HB205 "own.join() has no timeout" "handler 'threaded'"
    join_given(own)
    return render_in_thread(rows)


@app.post("/gather")
def gathered(rows):
    return {"all": gather([POOL.submit(render, rows)])}
'''


def test_waits_for_work_that_provably_ends_are_not_reported(tmp_path: Path) -> None:
    """CPU work, requests that get a timeout through a wrapper's parameter or **kwargs, a timed
    subprocess: not reported. A request or subprocess with no timeout, a callable handed in, a
    getattr dispatch, a method called on a value of unknown kind whose project namesake blocks,
    and futures handed in as a parameter: reported."""
    root = write_project(tmp_path / "proj", {
        "pyproject.toml": "", "app/__init__.py": "", "app/net.py": NET, "app/checks.py": CHECKS,
        "app/work.py": WORK, "app/views.py": VIEWS,
    })
    path = root / "app" / "views.py"
    found = [f for f in findings(check_source(VIEWS, str(path), Config())) if f.code == "HB205"]
    comparison = compare(read_markers(VIEWS, "views.py"), found)
    assert comparison.matched and not comparison.missing and not comparison.unexpected, comparison


def test_without_the_project_every_wait_is_reported(tmp_path: Path) -> None:
    """With project reach off nothing is proved: the CPU work's waits come back."""
    root = write_project(tmp_path / "proj", {
        "pyproject.toml": "", "app/__init__.py": "", "app/net.py": NET, "app/checks.py": CHECKS,
        "app/work.py": WORK, "app/views.py": VIEWS,
    })
    path = root / "app" / "views.py"
    found = [f for f in findings(check_source(VIEWS, str(path), Config(project_reach=False))) if f.code == "HB205"]
    assert any("as_completed()" in f.message and "via fetch_all()" in f.message for f in found)
    # a wait in its executor's with block is not one either way: leaving the block waits anyway
    assert not any("first.result()" in f.message for f in found)
