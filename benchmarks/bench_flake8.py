"""Time flake8 with and without flake8-handler-block on the same real code, in one run.

    python benchmarks/bench_flake8.py                 # Django 5.2.8 and a handler-heavy app set
    python benchmarks/bench_flake8.py --runs 7 --jobs 1 --tree django

Trees are wheels from PyPI (pinned), unpacked into .bench/ on first use. Runs alternate
(baseline, plugin, baseline, ...) so machine noise hits both sides alike; the report is the
median wall time of each side, their ratio, and the peak RSS of each side. Both sides run
the same flake8, in the same interpreter, on the same files; the baseline only removes this
plugin from flake8's plugin list (see _RUNNER). "Time inside the plugin" is measured within the
plugin run itself (the engine's check_source, gate included): on a noisy machine it is the
steadier number. Never used as a test assertion.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".bench"
# name -> (wheels, sub-paths to lint inside the unpacked wheels)
TREES = {
    "django": (["django==5.2.8"], ["django"]),
    # Application code with many handlers: Flask, aiohttp/asyncio, Tornado, Django apps.
    "apps": (
        ["httpbin==0.10.4", "datasette==0.65.5", "jupyter-server==2.21.1", "flask-appbuilder==5.3.0", "locust==2.47.0"],
        ["httpbin", "datasette", "jupyter_server", "flask_appbuilder", "locust"],
    ),
}

_RUNNER = r"""
import resource, sys, time
from flake8.plugins import finder
if sys.argv[1] == "baseline":
    original = finder._find_importlib_plugins
    finder._find_importlib_plugins = lambda: (p for p in original() if p.package != "flake8-handler-block")
spent = [0.0]
if sys.argv[1] == "plugin":
    from flake8_handler_block import engine  # the plugin's import is part of its cost
    check = engine.check_source

    def timed(*args, **kwargs):
        begin = time.perf_counter()
        try:
            return check(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - begin

    engine.check_source = timed
from flake8.main.cli import main
start = time.perf_counter()
try:
    main(sys.argv[2:])
except SystemExit:
    pass
elapsed = time.perf_counter() - start
peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(f"BENCH {elapsed:.4f} {peak} {spent[0]:.4f}", file=sys.stderr)
"""


def fetch(tree: str) -> Path:
    wheels, _ = TREES[tree]
    target = CACHE / tree
    if target.is_dir():
        return target
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary", ":all:", "-d", tmp, *wheels],
            check=True,
        )
        target.mkdir(parents=True)
        for wheel in Path(tmp).glob("*.whl"):
            with zipfile.ZipFile(wheel) as archive:
                archive.extractall(target)
    return target


def _run_flake8(side: str, paths, jobs: int):
    command = [sys.executable, "-c", _RUNNER, side, f"-j{jobs}", "--isolated", "--exit-zero", "--quiet", *paths]
    result = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    line = [text for text in result.stderr.splitlines() if text.startswith("BENCH ")]
    if not line:
        raise SystemExit(f"flake8 failed:\n{result.stderr[-2000:]}")
    _, elapsed, peak_kb, inside = line[-1].split()
    return float(elapsed), int(peak_kb) / 1024, float(inside)


def bench(tree: str, runs: int, jobs: int) -> None:
    base = fetch(tree)
    paths = [str(base / sub) for sub in TREES[tree][1] if (base / sub).exists()]
    files = sum(1 for p in paths for _ in Path(p).rglob("*.py"))
    lines = sum(len(f.read_bytes().splitlines()) for p in paths for f in Path(p).rglob("*.py"))
    times = {"baseline": [], "plugin": []}
    inside = []
    peaks = {"baseline": 0.0, "plugin": 0.0}
    _run_flake8("plugin", paths, jobs)  # warm the file cache and .pyc files
    for _ in range(runs):
        for side in ("baseline", "plugin"):
            elapsed, peak, spent = _run_flake8(side, paths, jobs)
            times[side].append(elapsed)
            if side == "plugin":
                inside.append(spent)
            peaks[side] = max(peaks[side], peak)
    base_t, plug_t = statistics.median(times["baseline"]), statistics.median(times["plugin"])
    print(
        f"{tree:8} {files:5} files {lines:8} lines  -j{jobs}  flake8 {base_t:7.2f}s  "
        f"+plugin {plug_t:7.2f}s  ratio {plug_t / base_t:5.3f} (+{(plug_t / base_t - 1) * 100:4.1f}%)  "
        f"peak RSS {peaks['baseline']:6.0f} MB -> {peaks['plugin']:6.0f} MB  "
        f"time inside the plugin {statistics.median(inside):5.2f}s "
        f"({statistics.median(inside) / base_t * 100:4.1f}% of flake8)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tree", choices=sorted(TREES), action="append", help="default: all trees")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()
    for tree in args.tree or sorted(TREES, reverse=True):
        bench(tree, args.runs, args.jobs)


if __name__ == "__main__":
    main()
