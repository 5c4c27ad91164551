"""One timed flake8 run that leaves nothing behind for the next one.

A run with an empty or stale cache may leave a child of the plugin behind: it writes the module
summaries it built after flake8 has exited (the run does not wait for it). A benchmark that
starts the next run at once, or empties the cache for a cold run, would race that child: the
next run shares the CPU with it, or finds a cache refilled after it was emptied, half warm. A
user's next save comes seconds later. So each run starts in a process group of its own, and the
benchmark waits until the whole group is gone before it goes on. Only the run itself is timed.
On Linux the benchmark takes in the run's orphans (a child subreaper), so it reaps them itself
(a container's init may be slow to) and their CPU time counts as its children's, the run's.
"""

from __future__ import annotations

import os
import subprocess
import time
from typing import Any, List, Tuple

SETTLE_LIMIT = 60.0  # seconds to wait for a run's children; a child stops itself well before
_PR_SET_CHILD_SUBREAPER = 36


def _become_subreaper() -> bool:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return bool(libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
    except (OSError, AttributeError):  # not Linux
        return False


_SUBREAPER = _become_subreaper()


def run_settled(command: List[str], **kwargs: Any) -> Tuple[int, str, str, float]:
    """Run ``command`` (``subprocess.Popen`` keyword arguments) to its end: its exit status,
    stdout and stderr (text when asked for), and its wall time; then wait for its children."""
    started = time.perf_counter()
    with subprocess.Popen(command, start_new_session=True, **kwargs) as process:
        stdout, stderr = process.communicate()
    elapsed = time.perf_counter() - started
    _wait_for_group(process.pid)
    return process.returncode, stdout, stderr, elapsed


def _wait_for_group(leader: int) -> None:
    """Wait until the process group ``leader`` started is empty (its leader has exited)."""
    if _SUBREAPER:  # the group's orphans are this process's children now
        while True:
            try:
                os.waitpid(-leader, 0)
            except ChildProcessError:
                return
            except InterruptedError:
                continue
    if not hasattr(os, "killpg"):  # Windows: no process groups to wait on
        return
    deadline = time.monotonic() + SETTLE_LIMIT
    while time.monotonic() < deadline:
        try:
            os.killpg(leader, 0)
        except (ProcessLookupError, PermissionError):
            return
        time.sleep(0.02)
