"""scripts/fix_pairs.py: the pairs table is read strictly, fix hunks are mined and pairs scored exactly."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest

from fixtures import ROOT, load_script

fix_pairs = load_script("fix_pairs")

HEADER = "package\told\tnew\tpath\told_line\tnew_line\tcode\tfix\tchain\n"
ROW = "app\t1.0\t1.1\tapp/views.py\t10\t11\tHB201\ttimeout=5 added\thandler 'fetch' (app/views.py:8)"


def _table(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "pairs.tsv"
    path.write_text(HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def test_read_pairs(tmp_path: Path) -> None:
    (pair,) = fix_pairs.read_pairs(_table(tmp_path, ROW))
    assert (pair.package, pair.old, pair.new, pair.path, pair.old_line, pair.new_line, pair.code) == (
        "app", "1.0", "1.1", "app/views.py", 10, 11, "HB201")
    assert pair.request_reachable
    (other,) = fix_pairs.read_pairs(_table(tmp_path, ROW.rsplit("\t", 1)[0] + "\t"))
    assert not other.request_reachable


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (ROW.rsplit("\t", 1)[0], "tab-separated"),
        (ROW.replace("HB201", "E501"), "bad code"),
        (ROW.replace("\t10\t", "\tten\t"), "lines must be numbers"),
        (ROW.replace("\t1.1\t", "\t1.0\t"), "two different versions"),
        (ROW.replace("timeout=5 added", " "), "say what the fix did"),
    ],
)
def test_read_pairs_rejects_malformed_rows(tmp_path: Path, row: str, message: str) -> None:
    with pytest.raises(fix_pairs.InputError, match=message):
        fix_pairs.read_pairs(_table(tmp_path, row))


def test_read_pairs_rejects_bad_header_and_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "pairs.tsv"
    path.write_text("package\told\n", encoding="utf-8")
    with pytest.raises(fix_pairs.InputError, match="header"):
        fix_pairs.read_pairs(path)
    with pytest.raises(fix_pairs.InputError, match="as line 2"):
        fix_pairs.read_pairs(_table(tmp_path, ROW, ROW.replace("timeout=5", "timeout=9")))


def test_releases_are_listed_once_in_table_order(tmp_path: Path) -> None:
    pairs = fix_pairs.read_pairs(_table(
        tmp_path, ROW, ROW.replace("\t10\t", "\t20\t"), ROW.replace("1.0\t1.1", "1.1\t1.2").replace("\t10\t", "\t5\t"),
    ))
    assert fix_pairs.releases(pairs) == [("app", "1.0"), ("app", "1.1"), ("app", "1.2")]


def test_the_committed_table_is_well_formed() -> None:
    pairs = fix_pairs.read_pairs(ROOT / "testdata" / "real" / "fix_pairs.tsv")
    assert len(pairs) >= 20
    assert len({p.package for p in pairs}) >= 8


# --- mining ----------------------------------------------------------------------------------------------

OLD = """import requests


def fetch(url):
    r = requests.get(url)
    return r.json()


def other():
    return requests.get("x", timeout=3)
"""

NEW = """import requests


def fetch(url):
    r = requests.get(url, timeout=10)
    return r.json()


def other():
    return requests.get(
        "x", timeout=3
    )
"""


def test_hunks_keep_the_added_timeout_and_drop_a_reformatted_one() -> None:
    found = list(fix_pairs.hunks("m.py", OLD, NEW, context=1))
    assert [(h.old_start, h.new_start, h.kinds) for h in found] == [(4, 4, ("timeout",)), (9, 9, ())]
    assert "+    r = requests.get(url, timeout=10)" in found[0].lines


@pytest.mark.parametrize(
    ("added", "kind"),
    [
        ("    with requests.Session() as s:", "with"),
        ("        async with aiohttp.ClientSession() as session:", "with"),
        ("    resp.close()", "close"),
        ("    finally:", "finally"),
        ("        q.task_done()", "release"),
        ("    worker.join()", "join"),
        ("    self._task = asyncio.create_task(run())", "task kept"),
        ("    out = subprocess.run(cmd, timeout=30)", "timeout"),
    ],
)
def test_fix_kinds(added: str, kind: str) -> None:
    assert kind in fix_pairs.fix_kinds(["+" + added])
    assert kind not in fix_pairs.fix_kinds(["+" + added, "-" + added])
    assert fix_pairs.fix_kinds([" " + added]) == ()


def test_candidate_hunks_compare_python_files_of_two_releases(tmp_path: Path) -> None:
    old, new = tmp_path / "1.0", tmp_path / "1.1"
    for root, text in ((old, OLD), (new, NEW)):
        (root / "app").mkdir(parents=True)
        (root / "app" / "client.py").write_text(text, encoding="utf-8")
        (root / "app" / "same.py").write_text("x = 1\n", encoding="utf-8")
    (new / "app" / "added.py").write_text("requests.get(u, timeout=1)\n", encoding="utf-8")
    (found,) = fix_pairs.candidate_hunks(old, new)
    assert found.path == "app/client.py"
    assert fix_pairs.render_hunk(found).startswith("### app/client.py -2 +2 [timeout]")


# --- unpacking -------------------------------------------------------------------------------------------


def test_unpack_wheel_as_is_and_sdist_without_top_directory(tmp_path: Path) -> None:
    wheel = tmp_path / "app-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("app/__init__.py", "")
        zf.writestr("app-1.0.dist-info/METADATA", "Version: 1.0\n")
    fix_pairs.unpack(wheel, tmp_path / "w")
    assert (tmp_path / "w" / "app" / "__init__.py").is_file()

    sdist = tmp_path / "app-1.0.tar.gz"
    with tarfile.open(sdist, "w:gz") as tf:
        for name in ("app-1.0/setup.py", "app-1.0/app/__init__.py"):
            info = tarfile.TarInfo(name)
            info.size = 0
            tf.addfile(info, io.BytesIO(b""))
    fix_pairs.unpack(sdist, tmp_path / "s")
    assert sorted(p.relative_to(tmp_path / "s").as_posix() for p in (tmp_path / "s").rglob("*.py")) == [
        "app/__init__.py", "setup.py"]


def test_unpack_refuses_paths_outside_the_destination(tmp_path: Path) -> None:
    wheel = tmp_path / "evil-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("../escape.py", "")
    with pytest.raises(fix_pairs.InputError, match="unsafe"):
        fix_pairs.unpack(wheel, tmp_path / "w")
    assert not (tmp_path / "escape.py").exists()


# --- scoring ---------------------------------------------------------------------------------------------


def test_parse_findings() -> None:
    findings, other = fix_pairs.parse_findings(
        "./app/views.py:10:9: HB201 requests.get() has no timeout\n"
        "app/x.py:1:1: HB000 internal error\n"
        "Traceback (most recent call last):\n"
    )
    assert [(f.path, f.line, f.code) for f in findings] == [("app/views.py", 10, "HB201")]
    assert len(other) == 2


def _outcome(tmp_path: Path, old_output: str, new_output: str, row: str = ROW):  # type: ignore[no-untyped-def]
    (pair,) = fix_pairs.read_pairs(_table(tmp_path, row))
    old = fix_pairs.index(fix_pairs.parse_findings(old_output)[0])
    new = fix_pairs.index(fix_pairs.parse_findings(new_output)[0])
    return fix_pairs.judge(pair, old, new)


def test_found_needs_the_code_at_the_old_line(tmp_path: Path) -> None:
    hit = _outcome(tmp_path, "app/views.py:10:5: HB201 requests.get() has no timeout\n", "")
    assert hit.found and hit.silent
    other_code = _outcome(tmp_path, "app/views.py:10:5: HB601 requests.get() blocks the loop\n", "")
    assert not other_code.found and other_code.old_message.startswith("HB601")
    other_line = _outcome(tmp_path, "app/views.py:11:5: HB201 requests.get() has no timeout\n", "")
    assert not other_line.found and other_line.old_message == ""


def test_silent_means_no_finding_with_the_code_at_the_new_line(tmp_path: Path) -> None:
    old = "app/views.py:10:5: HB201 x\n"
    still = _outcome(tmp_path, old, "app/views.py:11:5: HB201 requests.get() has no timeout\n")
    assert still.found and not still.silent and still.new_message.startswith("HB201")
    elsewhere = _outcome(tmp_path, old, "app/views.py:10:5: HB201 x\napp/views.py:11:5: HB601 y\n")
    assert elsewhere.silent


def test_totals_and_render(tmp_path: Path) -> None:
    found = _outcome(tmp_path, "app/views.py:10:5: HB201 x: handler 'fetch' (app/views.py:8) via f()\n", "")
    unnamed = _outcome(tmp_path, "app/views.py:10:5: HB201 x: method 'C.f' can block\n", "")
    missed = _outcome(tmp_path, "", "app/views.py:11:5: HB201 x\n", ROW.rsplit("\t", 1)[0] + "\t")
    t = fix_pairs.totals([found, unnamed, missed])
    assert (t.pairs, t.found, t.reachable, t.reachable_found, t.reachable_chained, t.silent) == (3, 2, 2, 2, 1, 2)
    text = fix_pairs.render([found, missed])
    assert "# found in the old release: 1/2 (50%)" in text
    assert "# request-reachable found: 1/1 (100%); with the handler named in the message: 1/1 (100%)" in text
    assert "# fixed release silent: 1/2 (50%)" in text
    assert "MISSED, FIXED STILL REPORTED" in text
    assert "HB201: found 1/2 (50%), fixed silent 1/2 (50%)" in text


def test_score_lints_each_release_once_and_keeps_the_output(tmp_path: Path) -> None:
    base = tmp_path / "releases"
    for version in ("1.0", "1.1", "1.2"):
        (base / "app" / version).mkdir(parents=True)
    flake8 = tmp_path / "fake-flake8"
    flake8.write_text(
        "#!/bin/sh\n"
        f"echo \"$PWD\" >> {tmp_path / 'calls'}\n"
        "case \"$PWD\" in */1.0) echo 'app/views.py:10:5: HB201 no timeout';; esac\n",
        encoding="utf-8",
    )
    flake8.chmod(0o755)
    table = _table(tmp_path, ROW, ROW.replace("\t10\t", "\t30\t"),
                   ROW.replace("1.0\t1.1", "1.1\t1.2").replace("\t10\t", "\t5\t"))
    pairs = fix_pairs.read_pairs(table)
    outcomes, problems = fix_pairs.score_all(base, pairs, str(flake8), rerun=False)
    assert problems == []
    assert [o.found for o in outcomes] == [True, False, False]
    calls = (tmp_path / "calls").read_text(encoding="utf-8").split()
    assert len(calls) == 3
    fix_pairs.score_all(base, pairs, str(flake8), rerun=False)
    assert len((tmp_path / "calls").read_text(encoding="utf-8").split()) == 3  # kept outputs are read
    assert (base / "_findings" / "app==1.0.txt").read_text(encoding="utf-8").startswith("app/views.py:10")


def test_a_moved_file_is_looked_up_under_each_release_path(tmp_path: Path) -> None:
    row = ROW.replace("app/views.py", "app/old.py => app/new.py")
    moved = _outcome(tmp_path, "app/old.py:10:5: HB201 x\n", "app/new.py:11:5: HB201 x\n", row)
    assert moved.found and not moved.silent
    with pytest.raises(fix_pairs.InputError, match="path must be"):
        fix_pairs.read_pairs(_table(tmp_path, ROW.replace("app/views.py", "a.py => b.txt")))
