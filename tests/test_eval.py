"""The blind evaluation set (testdata/eval, written from the spec alone): no miss, no false alarm."""

from __future__ import annotations

from fixtures import TESTDATA, load_script

evaluate = load_script("evaluate")


def test_blind_set_is_found_exactly():
    """Malformed markers raise MarkerError (file:line) from score() itself."""
    files, stats, fps, fns = evaluate.score(TESTDATA / "eval")
    assert len(files) >= 14
    assert all(stats[code].positives >= 3 for code in stats), "every code needs 3+ positives"
    assert not fps, "\n".join(f"false positive {r}:{line} {code} {note}" for r, line, code, note, _ in fps)
    assert not fns, "\n".join(f"missed {r}:{line} {code} {note}" for r, line, code, note, _ in fns)


def test_evaluate_script_fails_on_a_malformed_marker(tmp_path, capsys):
    (tmp_path / "app.py").write_text("import requests\nrequests.get(u)  # expect: HB201 no timeout\n")
    assert evaluate.main(["evaluate.py", str(tmp_path)]) == 1
    assert "app.py:2:" in capsys.readouterr().err
