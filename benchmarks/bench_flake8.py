"""Time flake8 with and without flake8-handler-block on the same real code, in one run.

    python benchmarks/bench_flake8.py                 # Django 5.2.8 and a handler-heavy app set
    python benchmarks/bench_flake8.py --runs 7 --jobs 1 --tree django

Trees are wheels from PyPI (pinned), unpacked into .bench/ on first use (each tree is its own
project root: the root search stops below a hidden directory). Runs alternate (baseline,
plugin with an empty cache, plugin with the cache the cold run left, baseline, ...) so machine
noise hits every side alike; the report is the median wall time of each side, the ratios (of
wall time, and of CPU time: steadier on a busy machine) and the peak RSS. Every side runs the
same flake8, in the same interpreter, on the same files; the baseline only removes this plugin
from flake8's plugin list (see _RUNNER). The project index cache goes to a temporary directory
(``--hb-cache-dir``), emptied before each cold run; its size after the cold run is reported.
"Plugin" is the time inside the plugin's run() (gate, kept findings, analysis, the engine's
import on first use) and "index" the part of it spent in the project index (scan, summaries,
graph): measured within the plugin run itself (``-j1`` only), on a noisy machine they are the
steadier numbers.
Never used as a test assertion.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from settle import run_settled

ROOT = Path(__file__).resolve().parent.parent
# As a user runs it: hash seed fixed for steady runs, and .pyc files written and used (a
# PYTHONDONTWRITEBYTECODE environment would make every run compile the plugin's sources).
ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, "PYTHONHASHSEED": "0"}
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
spent = [0.0, 0.0]  # in the plugin (Plugin.run, its imports included), in the project index
if sys.argv[1] == "plugin":
    from flake8_handler_block import plugin

    run = plugin.Plugin.run

    def timed_run(self):
        begin = time.perf_counter()
        try:
            yield from run(self)
        finally:
            spent[0] += time.perf_counter() - begin

    def timed(function):
        def wrapper(*args, **kwargs):
            begin = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[1] += time.perf_counter() - begin
        return wrapper

    plugin.Plugin.run = timed_run
    # The index's entry points, replaced before the gate and the engine import them (the engine,
    # and libcst with it, is still imported by the plugin itself, on the first file it analyses).
    from flake8_handler_block.project import index
    for name in ("project_reach", "module_mark", "findings_slot"):
        if hasattr(index, name):
            setattr(index, name, timed(getattr(index, name)))
from flake8.main.cli import main
start = time.perf_counter()
try:
    main(sys.argv[2:])
except SystemExit:
    pass
elapsed = time.perf_counter() - start
usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
peak = max(u.ru_maxrss for u in usage)
cpu = sum(u.ru_utime + u.ru_stime for u in usage)
print(f"BENCH {elapsed:.4f} {peak} {spent[0]:.4f} {spent[1]:.4f} {cpu:.4f}", file=sys.stderr)
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


def _run_flake8(
    side: str, paths: List[str], jobs: int, cache_dir: str, source: Optional[str] = None
) -> Tuple[float, float, float, float, float]:
    command = [
        sys.executable, "-c", _RUNNER, "baseline" if side == "baseline" else "plugin", f"-j{jobs}", "--isolated",
        "--exit-zero", "--quiet",
        # flake8 without the plugin rejects the plugin's options
        *([] if side == "baseline" else [f"--hb-cache-dir={cache_dir}"]), *paths,
    ]
    env = {**ENV, "PYTHONPATH": source} if source else ENV  # another copy of the plugin's package
    _status, _out, stderr, _wall = run_settled(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                               env=env)
    line = [text for text in stderr.splitlines() if text.startswith("BENCH ")]
    if not line:
        raise SystemExit(f"flake8 failed:\n{stderr[-2000:]}")
    _, elapsed, peak_kb, inside, index, cpu = line[-1].split()
    return float(elapsed), int(peak_kb) / 1024, float(inside), float(index), float(cpu)


def _size(directory: Path) -> Tuple[int, int]:
    files = [p for p in directory.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def bench(tree: str, runs: int, jobs: int, before: Optional[str] = None) -> None:
    base = fetch(tree)
    paths = [str(base / sub) for sub in TREES[tree][1] if (base / sub).exists()]
    files = sum(1 for p in paths for _ in Path(p).rglob("*.py"))
    lines = sum(len(f.read_bytes().splitlines()) for p in paths for f in Path(p).rglob("*.py"))
    # side -> (cache state, source directory of the plugin or None for the installed one)
    sides: Dict[str, Tuple[str, Optional[str]]] = {
        "baseline": ("", None), "cold": ("cold", None), "warm": ("warm", None),
    }
    if before:
        sides.update({"cold before": ("cold", before), "warm before": ("warm", before)})
    times: Dict[str, List[float]] = {side: [] for side in sides}
    inside: Dict[str, List[float]] = {side: [] for side in sides}
    index: Dict[str, List[float]] = {side: [] for side in sides}
    cpus: Dict[str, List[float]] = {side: [] for side in sides}
    peaks = {side: 0.0 for side in sides}
    sizes: Dict[str, Tuple[int, int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        _run_flake8("cold", paths, jobs, str(Path(tmp) / "warm-up"))  # the file cache and .pyc files
        for _ in range(runs):
            for side, (state, source) in sides.items():
                cache_dir = Path(tmp) / ("before" if source else "cache")
                if state == "cold":
                    shutil.rmtree(cache_dir, ignore_errors=True)
                elapsed, peak, spent, indexing, cpu = _run_flake8(side, paths, jobs, str(cache_dir), source)
                if state == "cold":
                    sizes[side] = _size(cache_dir)
                times[side].append(elapsed)
                inside[side].append(spent)
                index[side].append(indexing)
                cpus[side].append(cpu)
                peaks[side] = max(peaks[side], peak)
    median = {side: statistics.median(times[side]) for side in sides}
    cpu_median = {side: statistics.median(cpus[side]) for side in sides}
    print(f"{tree:8} {files:5} files {lines:8} lines  -j{jobs}  flake8 {median['baseline']:6.2f}s "
          f"(cpu {cpu_median['baseline']:6.2f}s)  peak RSS {peaks['baseline']:5.0f} MB")
    for side, (state, _source) in sides.items():
        if not state:
            continue
        ratio = median[side] / median["baseline"]
        plugin, indexing = statistics.median(inside[side]), statistics.median(index[side])
        size = f"  cache {sizes[side][0]} files {sizes[side][1] / 1e6:.2f} MB" if side in sizes else ""
        print(f"{'':8} +plugin {side:12} {median[side]:6.2f}s  ratio {ratio:5.3f}  cpu ratio "
              f"{cpu_median[side] / cpu_median['baseline']:5.3f}  peak RSS {peaks[side]:5.0f} MB  "
              f"plugin {plugin:5.2f}s ({plugin / median['baseline'] * 100:4.1f}% of flake8), "
              f"index {indexing:5.2f}s{size}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tree", choices=sorted(TREES), action="append", help="default: all trees")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--before", metavar="DIR", help="also run the plugin package found in DIR or DIR/src (a "
                        "checkout's root), interleaved with the others: a before/after comparison on the same "
                        "machine state")
    args = parser.parse_args()
    before = _package_dir(args.before) if args.before else None
    for tree in args.tree or sorted(TREES, reverse=True):
        bench(tree, args.runs, args.jobs, before)


def _package_dir(given: str) -> str:
    """The directory holding the plugin's package, from a checkout's root (its ``src/``) or the
    directory itself: given the root, PYTHONPATH would miss the package and the "before" side
    would quietly run the installed one."""
    for candidate in (Path(given) / "src", Path(given)):
        if (candidate / "flake8_handler_block" / "__init__.py").is_file():
            return str(candidate.resolve())
    raise SystemExit(f"--before {given}: no flake8_handler_block package there nor in its src/")


if __name__ == "__main__":
    main()
