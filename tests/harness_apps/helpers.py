"""Helpers for the harness tests: run a scenario against an app, find the line of a snippet."""

import inspect
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Optional, Sequence, Tuple

from flake8_handler_block.harness import BlackHole, Report, TestServer

Request = Tuple[str, str]


def get(*paths: str) -> List[Request]:
    return [("GET", p) for p in paths]


def run_scenario(
    app: Any,
    requests: Sequence[Request],
    *,
    outbound: Any = "passthrough",
    deadline: float = 0.5,
    sequential: bool = False,
    expect_stuck: bool = False,
) -> Report:
    """Serve `app`, send the requests (all at once, or one after another), close, report."""
    server = TestServer(app, outbound=outbound, deadline=deadline).start()
    try:
        if sequential:
            for method, path in requests:
                call = server.request(method, path, timeout=5.0)
                assert call.done, f"{method} {path} did not answer"
        else:
            for method, path in requests:
                server.fire(method, path)
            assert server.wait_requests(len(requests), 5.0), "requests did not reach the app"
            if expect_stuck:
                time.sleep(0.05)  # let the ones that do finish, finish
    finally:
        report = server.close(deadline)
    return report


def run_parallel(jobs: Dict[str, Any]) -> Dict[str, Report]:
    """Run scenario callables concurrently: the deadlines overlap instead of adding up."""
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        futures = {name: pool.submit(job) for name, job in jobs.items()}
        return {name: fut.result(timeout=60) for name, fut in futures.items()}


def line_of(func: Any, snippet: str) -> Tuple[str, int]:
    """(file, line) of the first line of `func` containing `snippet`."""
    lines, start = inspect.getsourcelines(func)
    for offset, text in enumerate(lines):
        if snippet in text:
            return os.path.abspath(inspect.getsourcefile(func) or ""), start + offset
    raise AssertionError(f"{snippet!r} not in {func.__name__}")


def by_request(report: Report) -> Dict[str, Any]:
    found: Dict[str, Any] = {}
    for stuck in report.stuck:
        found.setdefault(stuck.request, stuck)
    return found


def harness_threads() -> List[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("hb-")]


def open_fds() -> Optional[int]:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return None


def connect_hole() -> BlackHole:
    return BlackHole(mode="connect")
