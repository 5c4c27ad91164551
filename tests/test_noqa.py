"""`flake8-handler-block noqa`: where comments go, how they merge, what the files keep, and the real flake8."""

from __future__ import annotations

import argparse
import io
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import List, Tuple

import pytest
from flake8.processor import FileProcessor  # type: ignore[import-untyped]
from flake8.violation import Violation  # type: ignore[import-untyped]

from flake8_handler_block.cli import main as cli_main
from flake8_handler_block.engine import check_source
from flake8_handler_block.noqa import NoqaError, NoqaResult, RewriteError, _verify, add_noqa
from fixtures import TESTDATA

HEAD = '''\
import requests
from flask import Flask

app = Flask(__name__)


@app.get("/a")
def a():
'''
START = HEAD.count("\n") + 1  # line number of the first body line


def flake8_still_reports(
    text: str, filename: str = "app.py", select: Tuple[str, ...] = ("HB",)
) -> List[Tuple[int, str]]:
    """The findings flake8's own noqa code (its FileProcessor line mapping and Violation) lets through."""
    options = argparse.Namespace(
        hang_closing=False, indent_size=4, max_line_length=79, max_doc_length=None, verbose=0, disable_noqa=False,
    )
    processor = FileProcessor(filename, options, lines=io.StringIO(text, newline=None).readlines())
    reported = []
    for line, column, message in check_source("".join(processor.lines), filename):
        code = message.split(" ", 1)[0]
        violation = Violation(code, filename, line, column, message, processor.noqa_line_for(line))
        if code != "HB000" and code.startswith(select) and not violation.is_inline_ignored(False):
            reported.append((line, code))
    return reported


def noqa(body: str, **kwargs) -> str:
    """The handler body after the command: silenced for flake8, still compiling, stable on a second run."""
    result = add_noqa(HEAD + body, "app.py", **kwargs)
    assert result.source.startswith(HEAD)
    compile(result.source, "app.py", "exec")
    select = tuple(kwargs.get("select") or ["HB"])
    assert flake8_still_reports(result.source, select=select) == []
    again = add_noqa(result.source, "app.py", **kwargs)
    assert again.source == result.source, "a second run must change nothing"
    return result.source[len(HEAD):]


# (before, after): every case is also checked with the real flake8 in test_real_flake8_reports_nothing.
CASES = {
    "plain": (
        "    return requests.get(URL)\n",
        "    return requests.get(URL)  # noqa: HB201\n",
    ),
    "other noqa codes": (
        "    return requests.get(URL)  # noqa: E501\n",
        "    return requests.get(URL)  # noqa: E501,HB201\n",
    ),
    "noqa without space": (
        "    return requests.get(URL)  # NOQA:E501,W291\n",
        "    return requests.get(URL)  # NOQA:E501,W291,HB201\n",
    ),
    "codes followed by a reason": (
        "    return requests.get(URL)  # noqa: E501, long url\n",
        "    return requests.get(URL)  # noqa: E501,HB201, long url\n",
    ),
    "bare noqa": (
        "    return requests.get(URL)  # noqa\n",
        "    return requests.get(URL)  # noqa\n",
    ),
    "already silenced": (
        "    return requests.get(URL)  # noqa: HB201\n",
        "    return requests.get(URL)  # noqa: HB201\n",
    ),
    "silenced by prefix": (
        "    return requests.get(URL)  # noqa: E501,HB2\n",
        "    return requests.get(URL)  # noqa: E501,HB2\n",
    ),
    "other comment": (
        "    return requests.get(URL)  # the upstream is local\n",
        "    return requests.get(URL)  # the upstream is local  # noqa: HB201\n",
    ),
    "type ignore": (
        "    return requests.get(URL)  # type: ignore[no-any-return]\n",
        "    return requests.get(URL)  # type: ignore[no-any-return]  # noqa: HB201\n",
    ),
    "trailing whitespace": (
        "    return requests.get(URL)   \n",
        "    return requests.get(URL)  # noqa: HB201\n",
    ),
    # flake8 takes the first noqa of the line: one that lists other codes hides the second.
    "second noqa is ignored by flake8": (
        "    return requests.get(URL)  # noqa: E501  # noqa: HB201\n",
        "    return requests.get(URL)  # noqa: E501,HB201  # noqa: HB201\n",
    ),
    # Codes are compared case-sensitively by flake8: a lower-case code silences nothing.
    "lower-case code": (
        "    return requests.get(URL)  # noqa: hb201\n",
        "    return requests.get(URL)  # noqa: hb201,HB201\n",
    ),
    # Inside brackets every line stands alone for flake8: the comment goes on the finding's line.
    "bracketed call": (
        "    return requests.get(\n        URL,\n    )\n",
        "    return requests.get(  # noqa: HB201\n        URL,\n    )\n",
    ),
    "comment below in brackets does not count": (
        "    return requests.get(\n        URL,\n    )  # noqa: HB201\n",
        "    return requests.get(  # noqa: HB201\n        URL,\n    )  # noqa: HB201\n",
    ),
    # A string spanning lines ties them: the comment goes after the string's last line.
    "multi-line string argument": (
        '    return requests.get("""http://\nexample""")\n',
        '    return requests.get("""http://\nexample""")  # noqa: HB201\n',
    ),
    "multi-line f-string argument": (  # tokenized in parts since Python 3.12
        '    return requests.get(f"""{URL}\n/path""")\n',
        '    return requests.get(f"""{URL}\n/path""")  # noqa: HB201\n',
    ),
    "finding after a multi-line string": (
        '    text = """a\n    b""" + requests.get(URL).text\n    return text\n',
        '    text = """a\n    b""" + requests.get(URL).text  # noqa: HB201\n    return text\n',
    ),
    "multi-line string with a noqa of its span below": (
        '    return requests.get("""http://\nexample""")  # noqa: E501\n',
        '    return requests.get("""http://\nexample""")  # noqa: E501,HB201\n',
    ),
    # Never after a backslash: the comment goes on the continuation's last line.
    "backslash continuation": (
        "    return requests.get(URL) + \\\n        1\n",
        "    return requests.get(URL) + \\\n        1  # noqa: HB201\n",
    ),
    "finding on a continued line": (
        "    total = 1 + \\\n        requests.get(URL)\n    return total\n",
        "    total = 1 + \\\n        requests.get(URL)  # noqa: HB201\n    return total\n",
    ),
    "two findings, one span": (
        '    return requests.get(URL) + requests.post("""x\n""", data=b"")\n',
        '    return requests.get(URL) + requests.post("""x\n""", data=b"")  # noqa: HB201\n',
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_merge_and_placement(name):
    before, after = CASES[name]
    assert noqa(before) == after


def test_codes_of_one_span_share_one_comment():
    body = "    s = requests.Session()\n    return s.get(URL)\n"
    lines = noqa(body).splitlines()
    assert lines[0].endswith("# noqa: HB103") and lines[1].endswith("# noqa: HB201")
    merged = noqa("    return requests.Session().get(URL)\n")
    assert merged.rstrip("\n").endswith("# noqa: HB103,HB201")


UNSILENCEABLE = {
    "string on an earlier line of the span": (
        '    text = """# noqa: E501\n    """ + requests.get(URL).text\n    return text\n', START + 1
    ),
    "string on the same line": ('    return requests.get(URL, params="# noqa: E501")\n', START),
}


@pytest.mark.parametrize("name", UNSILENCEABLE)
def test_noqa_inside_a_string_cannot_be_extended(name):
    # flake8 reads the "# noqa: E501" inside the string first: no comment can silence the call.
    body, line = UNSILENCEABLE[name]
    result = add_noqa(HEAD + body, "app.py")
    assert result.source == HEAD + body
    assert flake8_still_reports(result.source) == [(line, "HB201")]
    assert [(found, message.split()[0]) for found, message in result.unplaced] == [(line, "HB201")]


def test_select_limits_the_codes():
    body = "    s = requests.Session()\n    return s.get(URL)\n"
    assert flake8_still_reports(HEAD + body) == [(START, "HB103"), (START + 1, "HB201")]
    assert noqa(body, select=["HB2"]) == "    s = requests.Session()\n    return s.get(URL)  # noqa: HB201\n"
    assert noqa(body, select=["HB5"]) == body


def test_file_level_flake8_noqa_is_left_alone():
    text = "# flake8: noqa\n" + HEAD + "    return requests.get(URL)\n"
    assert add_noqa(text, "app.py").source == text


def test_crlf_and_lone_cr_lines_keep_their_endings():
    text = (HEAD + '    r = requests.get("""a\nb""")\n    return r\n').replace("\n", "\r\n")
    assert add_noqa(text, "app.py").source == text.replace('b""")\r\n', 'b""")  # noqa: HB201\r\n')
    mac = (HEAD + "    return requests.get(URL)\n").replace("\n", "\r")
    assert add_noqa(mac, "app.py").source == mac[:-1] + "  # noqa: HB201\r"


def test_last_line_without_newline():
    assert noqa("    return requests.get(URL)") == "    return requests.get(URL)  # noqa: HB201"


def test_libcst_parse_failure_is_reported():
    with pytest.raises(NoqaError, match="libcst could not parse"):
        add_noqa(HEAD + "    return requests.get(URL\n", "app.py")


@pytest.mark.slow  # every fixture, each linted several times: ~10 s
@pytest.mark.parametrize("path", sorted(TESTDATA.glob("HB[0-9][0-9][0-9]*.py")), ids=lambda p: p.stem)
def test_every_finding_of_the_fixtures_is_silenced(path):
    text = path.read_text(encoding="utf-8")
    result = add_noqa(text, str(path))
    assert not result.unplaced
    assert sum(result.silenced.values()) == len(check_source(text, str(path)))  # every finding, none twice
    assert flake8_still_reports(result.source, str(path)) == []  # the second run: test_real_flake8_reports_nothing


def test_a_rewrite_that_would_not_read_as_intended_is_refused():
    original = HEAD + "    return requests.get(URL) + \\\n        1\n"
    finding = [(START, "HB201 requests.get() has no timeout")]
    with pytest.raises(RewriteError, match="would still be reported"):
        _verify(original, NoqaResult(original), "app.py", finding)
    after_backslash = original.replace("+ \\\n", "+ \\  # noqa: HB201\n")
    with pytest.raises(RewriteError, match="does not (tokenize|compile)"):  # by Python version
        _verify(original, NoqaResult(after_backslash), "app.py", finding)
    with pytest.raises(RewriteError, match="number of lines"):
        _verify(original, NoqaResult(original + "# noqa: HB201\n"), "app.py", finding)


# ---- the command: files, encodings, modes, exit statuses ------------------------------------------


def write(path: Path, text: str, encoding: str = "utf-8", newline: str = "\n") -> Path:
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def run(*args: str) -> int:
    return cli_main(["noqa", *args])


def test_cli_writes_and_summarises(tmp_path, capsys):
    app = write(tmp_path / "app.py", HEAD + "    s = requests.Session()\n    return s.get(URL)\n")
    clean = write(tmp_path / "clean.py", "x = 1\n")
    before = os.stat(clean)
    assert run(str(tmp_path)) == 0
    assert app.read_text().endswith("s = requests.Session()  # noqa: HB103\n    return s.get(URL)  # noqa: HB201\n")
    after = os.stat(clean)
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns), "a clean file is never written"
    assert "added 2 noqa comment(s) in 1 file(s) (HB103 x1, HB201 x1)" in capsys.readouterr().err
    assert run(str(tmp_path)) == 0
    assert "added 0 noqa comment(s) in 0 file(s)" in capsys.readouterr().err


def test_cli_diff_changes_nothing(tmp_path, capsys):
    text = HEAD + "    return requests.get(URL)\n"
    app = write(tmp_path / "app.py", text)
    assert run("--diff", str(app)) == 1
    out, err = capsys.readouterr()
    assert "+    return requests.get(URL)  # noqa: HB201" in out
    assert "would add 1 noqa comment(s) in 1 file(s)" in err
    assert app.read_text() == text
    assert run(str(app)) == 0
    assert run("--diff", str(app)) == 0


def test_cli_select(tmp_path):
    app = write(tmp_path / "app.py", HEAD + "    s = requests.Session()\n    return s.get(URL)\n")
    assert run("--select", "hb103", str(app)) == 0
    assert app.read_text().endswith("s = requests.Session()  # noqa: HB103\n    return s.get(URL)\n")


@pytest.mark.parametrize("encoding, newline", [("utf-8-sig", "\n"), ("utf-8", "\r\n"), ("latin-1", "\r\n")])
def test_cli_keeps_encoding_bom_and_line_endings(tmp_path, encoding, newline):
    cookie = "# -*- coding: latin-1 -*-\n" if encoding == "latin-1" else ""
    text = cookie + HEAD + '    return requests.get(URL, params="café")\n'
    app = write(tmp_path / "app.py", text, encoding, newline)
    assert run(str(app)) == 0
    expected = text.replace('"café")\n', '"café")  # noqa: HB201\n').replace("\n", newline).encode(encoding)
    assert app.read_bytes() == expected
    assert expected.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")


@pytest.mark.skipif(os.name == "nt", reason="POSIX modes and symlinks")
def test_cli_keeps_mode_and_writes_through_symlinks(tmp_path):
    app = write(tmp_path / "app.py", "#!/usr/bin/env python\n" + HEAD + "    return requests.get(URL)\n")
    app.chmod(0o754)
    link = tmp_path / "link.py"
    link.symlink_to(app)
    assert run(str(link)) == 0
    assert link.is_symlink()
    assert stat.S_IMODE(app.stat().st_mode) == 0o754
    assert app.read_text().endswith("requests.get(URL)  # noqa: HB201\n")
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".noqa")] == [], "no temporary file left"


def test_cli_skips_what_libcst_cannot_parse(tmp_path, capsys):
    text = HEAD + "    return requests.get(URL\n"
    broken = write(tmp_path / "broken.py", text)
    assert run(str(broken)) == 0
    assert "broken.py: skipped: not analysed: libcst could not parse" in capsys.readouterr().err
    assert broken.read_text() == text


def test_cli_errors(tmp_path, capsys):
    assert run(str(tmp_path / "missing.py")) == 2
    assert "missing.py: error:" in capsys.readouterr().err
    assert run("--hb-scope", "everywhere", str(tmp_path)) == 2
    assert "everywhere" in capsys.readouterr().err


def test_cli_exit_1_when_a_finding_cannot_be_silenced(tmp_path, capsys):
    write(tmp_path / "app.py", HEAD + '    text = """# noqa: E501\n    """ + requests.get(URL).text\n    return text\n')
    assert run(str(tmp_path)) == 1
    assert f"app.py:{START + 1}: cannot silence HB201" in capsys.readouterr().err


# ---- the real flake8 -------------------------------------------------------------------------------


def _flake8_hb(cwd: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "HB", "."],
        cwd=cwd, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode in (0, 1), result.stderr
    return result.stdout


@pytest.mark.slow
def test_real_flake8_reports_nothing(tmp_path):
    """Fixtures of every rule plus each merge case: noqa, then flake8 reports no HB finding."""
    tree = tmp_path / "tree"
    tree.mkdir()
    for fixture in TESTDATA.glob("HB[0-9][0-9][0-9]*.py"):
        shutil.copy(fixture, tree)
    for folder in ("handlers", "eval", "clean"):  # real layouts: packages, Django apps, clean modules
        shutil.copytree(TESTDATA / folder, tree / folder, ignore=shutil.ignore_patterns("__pycache__"))
    for index, name in enumerate(CASES):
        before, _ = CASES[name]
        write(tree / f"case_{index:02d}.py", HEAD + before, newline="\r\n" if index % 3 == 0 else "\n")
    assert _flake8_hb(tree), "the tree must start with findings"
    command = [sys.executable, "-m", "flake8_handler_block", "noqa", "."]
    first = subprocess.run(command, cwd=tree, capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    assert _flake8_hb(tree) == ""
    snapshot = {p: p.read_bytes() for p in tree.rglob("*.py")}
    for path, data in snapshot.items():
        compile(data, str(path), "exec", dont_inherit=True)
    second = subprocess.run(command, cwd=tree, capture_output=True, text=True, timeout=300)
    assert second.returncode == 0 and "added 0 noqa comment(s) in 0 file(s)" in second.stderr
    assert {p: p.read_bytes() for p in tree.rglob("*.py")} == snapshot


@pytest.mark.slow
def test_real_flake8_agrees_on_the_unsilenceable_case(tmp_path):
    body = '    text = """# noqa: E501\n    """ + requests.get(URL).text\n    return text\n'
    write(tmp_path / "app.py", HEAD + body)
    result = subprocess.run(
        [sys.executable, "-m", "flake8_handler_block", "noqa", "."], cwd=tmp_path, capture_output=True, text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert f"app.py:{START + 1}:" in _flake8_hb(tmp_path)
