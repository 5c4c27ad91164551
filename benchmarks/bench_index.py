"""Time the project index (flake8_handler_block.project) on real trees, cold and warm.

    python benchmarks/bench_index.py                  # Django 5.2.8 and the handler-heavy app set
    python benchmarks/bench_index.py --tree django --runs 5

Each package of a tree is copied to a temporary directory (its own project root, with
an empty cache) and measured in fresh processes, so nothing is memoised across runs:

* build cold / warm: the whole index for the project (scan, summaries, graph, reach)
  with an empty cache, then again with the cache the cold run left;
* one file cold / warm: what the first ``project_reach`` call for one large module
  costs a process (the scan, the cache, the graph: what a single-file ``flake8`` run or
  an editor pays on top of the file's own analysis);
* cache size on disk, and how much of the tree the index parsed (it reads only the
  modules handlers lead to).

The trees are the ones benchmarks/bench_flake8.py uses (.bench/). Medians of ``--runs``.
Never used as a test assertion.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_flake8 import TREES, fetch  # noqa: E402

_RUNNER = r"""
import json, sys, time
start = time.perf_counter()
from flake8_handler_block.config import Config
from flake8_handler_block.project import index
imported = time.perf_counter() - start
mode, target = sys.argv[1], sys.argv[2]
config = Config(cache=sys.argv[3] == "cache")
if mode == "build":
    print(json.dumps(index.build_stats(target, config)))
else:
    start, cpu = time.perf_counter(), time.process_time()
    found = index.project_reach(target, config)
    print(json.dumps({"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu,
                      "complete": bool(found and found.complete), "imported": imported}))
"""


def _run(mode: str, target: Path, cache: bool = True) -> Dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-c", _RUNNER, mode, str(target), "cache" if cache else "no-cache"],
        capture_output=True, text=True, check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def _age(root: Path, seconds: float = 3600.0) -> None:
    past = time.time() - seconds
    for path in root.rglob("*.py"):
        os.utime(path, (past, past))


def _largest_module(root: Path, limit: int = 3000) -> Path:
    sized = [(len(p.read_bytes().splitlines()), p) for p in root.rglob("*.py")]
    return max((n, p) for n, p in sized if n <= limit)[1]


def _cache_size(root: Path) -> Tuple[int, int]:
    files = [p for p in (root / ".handler_block_cache").rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def bench_project(source: Path, runs: int) -> Dict[str, object]:
    lines = sum(len(p.read_bytes().splitlines()) for p in source.rglob("*.py"))
    times: Dict[str, List[Tuple[float, float]]] = {"cold": [], "warm": [], "one_cold": [], "one_warm": []}
    stats: Dict[str, object] = {}
    size = (0, 0)
    module_name, module_lines = "", 0

    def timed(key: str, mode: str, module: Path) -> Dict[str, object]:
        found = _run(mode, module)
        times[key].append((float(found["seconds"]), float(found["cpu"])))  # type: ignore[arg-type]
        return found

    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / source.name
            shutil.copytree(source, root)
            _age(root)  # a checkout, not files edited this second (those are never cached)
            module = _largest_module(root)
            module_name = str(module.relative_to(root))
            module_lines = len(module.read_bytes().splitlines())
            stats = timed("cold", "build", module)
            size = _cache_size(root)
            timed("warm", "build", module)
            timed("one_warm", "file", module)
            shutil.rmtree(root / ".handler_block_cache")
            timed("one_cold", "file", module)
    medians = {
        key: (statistics.median(w for w, _ in values), statistics.median(c for _, c in values))
        for key, values in times.items()
    }
    return {
        **stats, "name": source.name, "lines": lines, "module": module_name, "module_lines": module_lines,
        **medians, "cache_files": size[0], "cache_bytes": size[1],
    }


def _pair(value: object) -> str:
    wall, cpu = value  # type: ignore[misc]
    return f"{wall:5.2f}/{cpu:5.2f}s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tree", choices=sorted(TREES), action="append", help="default: all trees")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("PYTHONHASHSEED", "0")
    print("wall / cpu seconds of the measured process (cpu is steadier on a busy machine)")
    print(f"{'project':18} {'files':>6} {'lines':>7} {'parsed':>6} {'handlers':>8} {'reached':>7}  "
          f"{'build cold':>12} {'warm':>12}  {'1 file cold':>12} {'warm':>12}  cache")
    for tree in args.tree or sorted(TREES, reverse=True):
        base = fetch(tree)
        for sub in TREES[tree][1]:
            # The project is the directory holding the top-level package (as in an unpacked wheel).
            package = base / sub
            if not package.exists():
                continue
            with tempfile.TemporaryDirectory() as tmp:
                source = Path(tmp) / sub
                source.mkdir()
                shutil.copytree(package, source / sub)
                row = bench_project(source, args.runs)
            print(
                f"{sub:18} {row['files']:6} {row['lines']:7} {row['parsed']:6} {row['handlers']:8} {row['reached']:7}  "
                f"{_pair(row['cold'])} {_pair(row['warm'])}  {_pair(row['one_cold'])} {_pair(row['one_warm'])}  "
                f"{row['cache_files']} files {row['cache_bytes'] / 1e6:.1f} MB"
                + (f"  ERROR {row['error']}" if row["error"] else "")
            )
            print(f"{'':18} one file: {row['module']} ({row['module_lines']} lines)")


if __name__ == "__main__":
    main()
