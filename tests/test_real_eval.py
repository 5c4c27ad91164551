"""scripts/real_eval.py: judgements are read strictly and findings are matched exactly."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixtures import load_script

real_eval = load_script("real_eval")

HEADER = "app\tversion\tpath\tline\tcode\tverdict\treason\tchain\n"


def _judgements(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "judgements.tsv"
    path.write_text(HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def test_the_projects_own_panel_reads() -> None:
    """Every row of the committed panel is well formed, and names an app of apps.txt at its version."""
    real = Path(__file__).resolve().parent.parent / "testdata" / "real"
    apps = real_eval.read_apps(real / "apps.txt")
    judgements = real_eval.read_judgements(real / "judgements.tsv")
    assert judgements
    assert [j.key for j in judgements if apps.get(j.app) != j.version] == []


def test_judgements_reject_unknown_verdict(tmp_path: Path) -> None:
    path = _judgements(tmp_path, "a\t1\tm.py\t3\tHB201\tmaybe\twhy\t")
    with pytest.raises(real_eval.InputError, match="verdict 'maybe'"):
        real_eval.read_judgements(path)


def test_judgements_reject_duplicate_site(tmp_path: Path) -> None:
    row = "a\t1\tm.py\t3\tHB201\treal\twhy\t"
    with pytest.raises(real_eval.InputError, match="same app, path, line and code"):
        real_eval.read_judgements(_judgements(tmp_path, row, row.replace("real", "wrong")))


def test_judgements_reject_missing_column(tmp_path: Path) -> None:
    with pytest.raises(real_eval.InputError, match="tab-separated"):
        real_eval.read_judgements(_judgements(tmp_path, "a\t1\tm.py\t3\tHB201\treal\twhy"))


def test_apps_file_needs_pinned_versions(tmp_path: Path) -> None:
    path = tmp_path / "apps.txt"
    path.write_text("# comment\nflask-app==1.2\n\nother\n", encoding="utf-8")
    with pytest.raises(real_eval.InputError, match=":4: expected NAME==VERSION"):
        real_eval.read_apps(path)
    path.write_text("flask-app==1.2  # why\n", encoding="utf-8")
    assert real_eval.read_apps(path) == {"flask-app": "1.2"}


def test_parse_findings_strips_dot_slash_and_sets_internal_errors_apart() -> None:
    output = (
        "./pkg/views.py:10:5: HB201 requests.get() has no timeout\n"
        "pkg/x.py:1:1: HB000 internal error\n"
        "Traceback (most recent call last):\n"
    )
    findings, other = real_eval.parse_findings("app", output)
    assert [(f.path, f.line, f.code) for f in findings] == [("pkg/views.py", 10, "HB201")]
    assert len(other) == 2


def test_score_counts_each_verdict_and_lists_unjudged() -> None:
    J = real_eval.Judgement
    judgements = [
        J("a", "1", "m.py", 1, "HB201", "real", "", "view (m.py:1)"),
        J("a", "1", "m.py", 2, "HB201", "missed-real", "", "view (m.py:1)"),
        J("a", "1", "m.py", 3, "HB201", "real", "", ""),
        J("a", "1", "m.py", 4, "HB501", "harmless", "", ""),
        J("a", "1", "m.py", 5, "HB202", "not-defect", "", ""),
        J("a", "1", "m.py", 6, "HB202", "wrong", "", ""),
    ]
    F = real_eval.Finding
    findings = [F("a", "m.py", 1, "HB201", ""), F("a", "m.py", 4, "HB501", ""),
                F("a", "m.py", 5, "HB202", ""), F("a", "m.py", 9, "HB205", ""),
                F("a", "m.py", 1, "HB201", "duplicate line from flake8")]
    tallies, unjudged = real_eval.score(judgements, findings)
    total = tallies["all"]
    assert (total.real_reachable, total.real_reachable_found) == (2, 1)
    assert (total.real_other, total.real_other_found) == (1, 0)
    assert (total.wrong_claims, total.wrong_reported) == (2, 1)
    assert (total.harmless, total.harmless_reported) == (1, 1)
    assert (total.reported, total.unjudged) == (4, 1)
    assert [(f.line, f.code) for f in unjudged] == [(9, "HB205")]
    assert tallies["HB202"].wrong_reported == 1


def test_main_skips_an_app_of_another_version_and_scores_saved_output(tmp_path: Path, capsys) -> None:
    apps = tmp_path / "apps"
    for name, version in (("good", "1.0"), ("stale", "2.0")):
        info = apps / name / f"{name}-{version}.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\nbody\n")
    apps_file = tmp_path / "apps.txt"
    apps_file.write_text("good==1.0\nstale==3.0\n", encoding="utf-8")
    saved = tmp_path / "saved"
    saved.mkdir()
    (saved / "good.txt").write_text("./pkg/v.py:7:3: HB201 requests.get() has no timeout\n", encoding="utf-8")
    judgements = _judgements(tmp_path, "good\t1.0\tpkg/v.py\t7\tHB201\treal\tno timeout\tview (pkg/v.py:5)",
                             "stale\t3.0\tpkg/w.py\t2\tHB202\treal\tno timeout\t")
    status = real_eval.main(["--apps", str(apps), "--apps-file", str(apps_file), "--judgements", str(judgements),
                             "--load", str(saved)])
    out = capsys.readouterr().out
    assert status == 0
    assert "skipped stale: want 3.0, found 2.0" in out
    assert "apps: 1/2" in out
    all_row = next(line for line in out.splitlines() if line.startswith("all "))
    assert "1/1 (100%)" in all_row
