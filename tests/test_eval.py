"""The blind evaluation set (testdata/eval, written from the spec alone): no miss, no false alarm."""

from __future__ import annotations

import importlib.util
import sys

from fixtures import ROOT, TESTDATA

_spec = importlib.util.spec_from_file_location("evaluate", ROOT / "scripts" / "evaluate.py")
evaluate = importlib.util.module_from_spec(_spec)
sys.modules["evaluate"] = evaluate  # dataclasses look their module up there
_spec.loader.exec_module(evaluate)


def test_blind_set_is_found_exactly():
    files, stats, fps, fns, problems = evaluate.score(TESTDATA / "eval")
    assert len(files) >= 14 and not problems
    assert all(stats[code].positives >= 3 for code in stats), "every code needs 3+ positives"
    assert not fps, "\n".join(f"false positive {r}:{line} {code} {note}" for r, line, code, note, _ in fps)
    assert not fns, "\n".join(f"missed {r}:{line} {code} {note}" for r, line, code, note, _ in fns)
