#!/usr/bin/env python
"""Editor speed: how long `flake8 --select HB` takes on one large handler module.

An editor runs flake8 on the file being edited after each save, so what matters
is the latency on a single big file. This script generates a realistic
2,000-line web module (Flask and FastAPI handlers, helpers, a client class,
queues, threads, subprocesses; a few findings among mostly clean code), or
uses the file you pass, and prints the median of several runs of:

- `flake8 --select HB FILE` in a fresh process (what an editor does: interpreter
  start, flake8's own pycodestyle/pyflakes passes, and this plugin);
- the same with `--select E,F,W` (flake8 without this plugin's findings; the
  plugin still runs, flake8 cannot unload it, so the in-process number below
  is the plugin's own cost);
- this plugin alone in-process (`engine.check_source`), after one warm-up run.

    python benchmarks/editor_speed.py [--runs 7] [--lines 2000] [FILE]
    python benchmarks/editor_speed.py --project .bench/django/django [--runs 5]

With ``--project PACKAGE`` the module is written into a copy of that package (Django's
158k lines by default in issue 11's target), so the project index is part of the run;
flake8 runs on that one file with the index cache empty (cold) and filled (warm), and
without this plugin at all; what the plugin adds is the difference.

Targets: well under 0.5 s for `flake8 --select HB` on this file; in a 150k-line project
the plugin adds <= 0.3 s warm and <= 2 s cold.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

from settle import run_settled

ROOT = Path(__file__).resolve().parent.parent

HEADER = '''\
"""Orders service: HTTP endpoints for orders, invoices, exports and webhooks (generated benchmark input)."""
from __future__ import annotations

import asyncio
import json
import logging
import queue
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

import httpx
import requests
from fastapi import APIRouter, FastAPI, HTTPException, Request
from flask import Blueprint, Flask, abort, jsonify, request

from .db import get_session, Order, Invoice
from .settings import API_URL, TIMEOUT, EXPORT_DIR

log = logging.getLogger(__name__)
app = Flask(__name__)
bp = Blueprint("orders", __name__)
api = FastAPI()
router = APIRouter()
SESSION = requests.Session()
CLIENT = httpx.AsyncClient(timeout=10)
JOBS: "queue.Queue[dict]" = queue.Queue(maxsize=1000)
POOL = ThreadPoolExecutor(max_workers=8)
STATE_LOCK = threading.Lock()
READY = threading.Event()


@dataclass
class OrderView:
    id: int
    customer: str
    total: float
    items: List[Dict[str, Any]]

    def as_dict(self) -> Dict[str, Any]:
        return {"id": self.id, "customer": self.customer, "total": self.total, "items": self.items}

'''

TEMPLATES = [
    '''
@bp.get("/orders/<int:oid>/{n}")
def show_order_{n}(oid):
    with get_session() as db:
        order = db.get(Order, oid)
        if order is None:
            abort(404)
        customer = SESSION.get(f"{{API_URL}}/customers/{{order.customer_id}}", timeout=TIMEOUT).json()
        items = [dict(sku=i.sku, qty=i.qty, price=float(i.price)) for i in order.items]
    view = OrderView(order.id, customer["name"], sum(i["qty"] * i["price"] for i in items), items)
    return jsonify(view.as_dict())
''',
    '''
@bp.post("/orders/{n}")
def create_order_{n}():
    payload = request.get_json(force=True)
    if not payload or "items" not in payload:
        abort(400)
    total = _price_{n}(payload["items"])
    with STATE_LOCK:
        JOBS.put({{"kind": "new-order", "payload": payload, "total": total}}, timeout=2)
    return jsonify({{"ok": True, "total": total}}), 201


def _price_{n}(items):
    total = 0.0
    for item in items:
        price = requests.get(f"{{API_URL}}/prices/{{item['sku']}}", timeout=(3.05, 10)).json()["price"]
        total += price * int(item.get("qty", 1))
    return round(total, 2)
''',
    '''
@router.get("/invoices/{{iid}}/{n}")
async def get_invoice_{n}(iid: int):
    resp = await CLIENT.get(f"{{API_URL}}/invoices/{{iid}}")
    if resp.status_code == 404:
        raise HTTPException(status_code=404, detail="no such invoice")
    data = resp.json()
    lines = [line for line in data.get("lines", []) if line.get("amount")]
    try:
        await asyncio.wait_for(_audit_{n}(iid), timeout=1)
    except asyncio.TimeoutError:
        log.warning("audit of %s timed out", iid)
    return {{"id": iid, "lines": lines, "total": sum(l["amount"] for l in lines)}}


async def _audit_{n}(iid):
    await CLIENT.post(f"{{API_URL}}/audit", json={{"invoice": iid}})
''',
    '''
@bp.post("/exports/{n}")
def export_{n}():
    fmt = request.args.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        abort(400)
    out = f"{{EXPORT_DIR}}/orders-{n}.{{fmt}}"
    subprocess.run(["orders-export", "--format", fmt, "--out", out], check=True, timeout=120)
    future = POOL.submit(_compress_{n}, out)
    path = future.result(timeout=60)
    return jsonify({{"path": path}})


def _compress_{n}(path):
    subprocess.run(["gzip", "-f", path], check=True, timeout=60)
    return path + ".gz"
''',
    '''
@router.post("/webhooks/{n}")
async def webhook_{n}(request: Request):
    body = await request.body()
    try:
        event = json.loads(body)
    except ValueError:
        raise HTTPException(status_code=400, detail="bad json")
    kind = event.get("type", "unknown")
    if kind == "order.paid":
        await _mark_paid_{n}(event["order_id"])
    elif kind == "order.refunded":
        await asyncio.to_thread(_refund_sync_{n}, event["order_id"])
    return {{"received": kind}}


async def _mark_paid_{n}(oid):
    async with httpx.AsyncClient(timeout=5) as client:
        await client.post(f"{{API_URL}}/orders/{{oid}}/paid")


def _refund_sync_{n}(oid):
    SESSION.post(f"{{API_URL}}/orders/{{oid}}/refund", timeout=TIMEOUT)
''',
    '''
class ReportBuilder{n}:
    """Builds order reports; used by the report endpoints."""

    def __init__(self, base_url: str, session: Optional[requests.Session] = None):
        self.base_url = base_url
        self.session = session or requests.Session()
        self.cache: Dict[str, Any] = {{}}

    def fetch(self, key: str) -> Any:
        if key in self.cache:
            return self.cache[key]
        value = self.session.get(f"{{self.base_url}}/reports/{{key}}", timeout=TIMEOUT).json()
        self.cache[key] = value
        return value

    def build(self, keys: List[str]) -> Dict[str, Any]:
        return {{key: self.fetch(key) for key in keys}}


@bp.get("/reports/{n}")
def report_{n}():
    keys = request.args.getlist("key")
    builder = ReportBuilder{n}(API_URL, SESSION)
    return jsonify(builder.build(keys))
''',
    '''
@bp.get("/health/{n}")
def health_{n}():
    if not READY.wait(timeout=1):
        return jsonify({{"ready": False}}), 503
    checks = {{}}
    for name in ("db", "cache", "search"):
        started = time.monotonic()
        try:
            requests.head(f"{{API_URL}}/{{name}}/ping", timeout=0.5)
            checks[name] = round(time.monotonic() - started, 3)
        except requests.RequestException as exc:
            checks[name] = str(exc)
    return jsonify(checks)
''',
    '''
@bp.get("/legacy/{n}")
def legacy_{n}():
    # A few findings among the clean code, as in a real module.
    data = requests.get(f"{{API_URL}}/legacy/{n}").json()
    done = threading.Event()
    worker = threading.Thread(target=done.set)
    worker.start()
    worker.join()
    return jsonify(data)
''',
]


def generate(lines: int) -> str:
    parts = [HEADER]
    count = HEADER.count("\n")
    n = 0
    while count < lines:
        block = TEMPLATES[n % len(TEMPLATES)].format(n=n)
        parts.append(block)
        count += block.count("\n")
        n += 1
    parts.append("\napp.register_blueprint(bp)\napi.include_router(router)\n")
    return "".join(parts)


def _children_cpu() -> float:
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def median_seconds(command, runs: int):
    """(median wall seconds, median CPU seconds) of running ``command``.

    CPU time is printed too: on a loaded machine wall time mostly measures the queue.
    """
    times, cpu = [], []
    for _ in range(runs):
        cpu_before = _children_cpu()
        *_output, elapsed = run_settled(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        times.append(elapsed)
        cpu.append(_children_cpu() - cpu_before)
    return statistics.median(times), statistics.median(cpu)


# flake8 in-process, optionally without this plugin (its entry point filtered out).
_RUNNER = r"""
import sys
from flake8.plugins import finder
if sys.argv[1] == "without":
    original = finder._find_importlib_plugins
    finder._find_importlib_plugins = lambda: (p for p in original() if p.package != "flake8-handler-block")
from flake8.main.cli import main
main(sys.argv[2:])
"""
# .pyc files written and used, as on a user's machine
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def in_project(package: Path, lines: int, runs: int) -> None:
    """The generated module inside a copy of ``package``: without the plugin, with it and an
    empty cache, a filled one, and a filled one right after the module was edited and saved."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        shutil.copytree(package, root / package.name)
        past = time.time() - 3600  # a checkout, not files written this second (those are never cached)
        for source in root.rglob("*.py"):
            os.utime(source, (past, past))
        path = root / package.name / "orders_views.py"
        text = generate(lines)
        path.write_text(text, encoding="utf-8")
        os.utime(path, (past, past))
        project_lines = sum(len(f.read_bytes().splitlines()) for f in root.rglob("*.py"))
        cache = root / ".handler_block_cache"

        def flake8(side: str) -> Tuple[float, float]:
            if side == "cold":
                shutil.rmtree(cache, ignore_errors=True)
            elif side == "edited":  # a new function, saved just now
                path.write_text(text + f"\n\ndef added_{time.monotonic_ns()}():\n    return 1\n", encoding="utf-8")
            cpu_before = _children_cpu()
            *_output, elapsed = run_settled(
                [sys.executable, "-c", _RUNNER, "without" if side == "without" else "with", "--isolated",
                 "--select", "HB,E,F,W", str(path)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=root, env=_ENV)
            if side == "edited":  # back to the checkout, so that the next cold and warm runs see no edit
                path.write_text(text, encoding="utf-8")
                os.utime(path, (past, past))
            return elapsed, _children_cpu() - cpu_before

        flake8("cold")  # .pyc files, the OS file cache
        samples: Dict[str, List[Tuple[float, float]]] = {"without": [], "cold": [], "warm": [], "edited": []}
        for _ in range(runs):
            for side in samples:
                samples[side].append(flake8(side))
        cache_files = [f for f in cache.rglob("*") if f.is_file()]
        cache_bytes = sum(f.stat().st_size for f in cache_files)
    medians = {side: (statistics.median(w for w, _ in values), statistics.median(c for _, c in values))
               for side, values in samples.items()}
    base_wall, base_cpu = medians["without"]
    print(f"{path.name} ({lines} lines) in a copy of {package} ({project_lines} lines), median of {runs}")
    print(f"{'flake8 without the plugin':<44} {base_wall:.3f} s wall, {base_cpu:.3f} s CPU")
    labels = {"cold": "cache empty", "warm": "cache filled", "edited": "cache filled, module just edited"}
    for side, label in labels.items():
        wall, cpu = medians[side]
        print(f"{'flake8 with it, ' + label:<44} {wall:.3f} s wall, {cpu:.3f} s CPU: the plugin adds "
              f"{wall - base_wall:.3f} s wall, {cpu - base_cpu:.3f} s CPU")
    print(f"cache: {len(cache_files)} files, {cache_bytes / 1e6:.2f} MB")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path, help="module to time (default: a generated one)")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--project", type=Path, help="a package to put the generated module in (see above)")
    args = parser.parse_args(argv)
    if args.project is not None:
        in_project(args.project, args.lines, args.runs)
        return 0

    tmp = None
    if args.file is None:
        tmp = tempfile.TemporaryDirectory()
        path = Path(tmp.name) / "orders_views.py"
        path.write_text(generate(args.lines), encoding="utf-8")
    else:
        path = args.file
    text = path.read_text(encoding="utf-8")
    flake8 = [sys.executable, "-m", "flake8", "--isolated"]
    try:
        with_hb = median_seconds([*flake8, "--select", "HB", str(path)], args.runs)
        without = median_seconds([*flake8, "--select", "E,F,W", str(path)], args.runs)

        sys.path.insert(0, str(ROOT / "src"))
        from flake8_handler_block.engine import check_source

        findings = check_source(text, str(path))
        plugin_times, plugin_cpu = [], []
        for _ in range(args.runs):
            started, cpu_started = time.perf_counter(), time.process_time()
            check_source(text, str(path))
            plugin_times.append(time.perf_counter() - started)
            plugin_cpu.append(time.process_time() - cpu_started)
        plugin = (statistics.median(plugin_times), statistics.median(plugin_cpu))
    finally:
        if tmp is not None:
            tmp.cleanup()

    print(f"file: {path.name}, {text.count(chr(10))} lines, {len(findings)} HB findings")
    for label, (wall, cpu) in (
        ("flake8 --select HB FILE", with_hb),
        ("flake8 --select E,F,W FILE", without),
        ("plugin alone (check_source)", plugin),
    ):
        print(f"{label:<30} median of {args.runs}: {wall:.3f} s wall, {cpu:.3f} s CPU")
    try:
        load = os.getloadavg()[0]
        print(f"load average (1 min): {load:.1f} on {os.cpu_count()} CPUs")
    except (AttributeError, OSError):
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
