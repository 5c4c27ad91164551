"""Per-line cost of the analysis by module shape and size: is it linear?

    python benchmarks/bench_shapes.py [--sizes 1000,10000] [--repeat 3]

Generates two shapes of handler module, each with a finding every few lines:
``flat`` (top-level Flask view functions) and ``class`` (every handler a method of
one Tornado-style class), and prints the best-of-N time per line of
``engine.check_source`` for each size, with the ratio of the largest size's
per-line cost to the smallest's (1.0 = linear; the issue's bound is 1.5).
"""

from __future__ import annotations

import argparse
import time
from typing import Callable, Dict, List

from flake8_handler_block.engine import check_source

FLAT_HEAD = "import requests\nfrom flask import Flask\n\napp = Flask(__name__)\n\n\n"
FLAT_UNIT = '''@app.get("/item/{n}")
def item_{n}(item_id):
    session = requests.Session()
    data = requests.get(URL, params={{"id": item_id}}).json()
    return {{"n": {n}, "data": data, "ok": session is not None}}


'''
CLASS_HEAD = "import requests\nimport tornado.web\n\n\nclass Items(tornado.web.RequestHandler):\n"
CLASS_UNIT = '''    def get_{n}(self, item_id):
        self.session = requests.Session()
        data = requests.get(URL, params={{"id": item_id}}).json()
        self.write({{"n": {n}, "data": data}})

    def get(self, item_id):
        return self.get_{n}(item_id)

'''


def module(head: str, unit: str, lines: int) -> str:
    per_unit = unit.count("\n")
    return head + "".join(unit.format(n=n) for n in range(max(1, lines // per_unit)))


def best_time(function: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    shapes = {"flat": (FLAT_HEAD, FLAT_UNIT), "class": (CLASS_HEAD, CLASS_UNIT)}
    print(f"{'shape':<6} {'lines':>7} {'findings':>9} {'seconds':>9} {'ms/line':>8}")
    for shape, (head, unit) in shapes.items():
        per_line: Dict[int, float] = {}
        for size in sizes:
            text = module(head, unit, size)
            count = text.count("\n")
            findings: List[object] = []
            seconds = best_time(lambda: findings.append(check_source(text, "items.py")), args.repeat)
            per_line[size] = seconds * 1000 / count
            print(f"{shape:<6} {count:>7} {len(findings[-1]):>9} {seconds:>9.3f} {per_line[size]:>8.3f}")
        print(
            f"{shape:<6} per-line cost ratio {sizes[-1]} / {sizes[0]} lines: "
            f"{per_line[sizes[-1]] / per_line[sizes[0]]:.2f}"
        )


if __name__ == "__main__":
    main()
