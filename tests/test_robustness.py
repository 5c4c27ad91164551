"""The plugin never raises, whatever file it is given."""

from __future__ import annotations

import pytest

from flake8_handler_block.engine import check_source

HANDLER_HEAD = "import requests\nfrom flask import Flask\napp = Flask(__name__)\n\n@app.get('/')\ndef view():\n"


def codes(findings):
    return [message.split(" ", 1)[0] for _line, _col, message in findings]


@pytest.mark.parametrize(
    "source",
    [
        "",
        "# only a comment\n",
        "\n\n\n",
        "import requests\ndef broken(:\n    requests.get(u)\n",
        "import requests\nprint 'python 2'\nexec 'code'\n",
        "import requests\nx = `repr`\n",
        "import requests\n\x0c\nclass A:\n\tpass\n",
        "\ufeffimport requests\nrequests.get(u)\n",
        "import requests\nrequests.get(u",
        HANDLER_HEAD + "    return requests.get(u) if True else (yield)\n",
    ],
    ids=[
        "empty", "comment", "blank", "syntax-error", "python2", "backticks", "formfeed-tab", "bom", "unclosed",
        "yield-expr",
    ],
)
def test_odd_sources_never_raise(source):
    findings = check_source(source, "odd.py")
    assert all(isinstance(line, int) and isinstance(message, str) for line, _col, message in findings)
    assert set(codes(findings)) <= {"HB000", "HB201"}


def test_syntax_error_is_reported_as_skipped_not_raised():
    assert codes(check_source(HANDLER_HEAD + "    def f(:\n", "bad.py")) == ["HB000"]


def test_python2_print_statement_is_skipped():
    assert codes(check_source(HANDLER_HEAD + "    print 'hello'\n", "py2.py")) == ["HB000"]


@pytest.mark.parametrize(
    "statements", [1_000, pytest.param(20_000, marks=pytest.mark.slow, id="20000")], ids=str
)
def test_huge_file_is_analysed(statements):
    """One handler body of `statements` lines: analysed to its last line, no recursion limit hit."""
    body = "".join(f"    total{i} = compute({i})\n" for i in range(statements))
    source = HANDLER_HEAD + body + "    return requests.get(URL)\n"
    findings = check_source(source, "huge.py")
    assert codes(findings) == ["HB201"]
    assert findings[0][0] == source.count("\n")


@pytest.mark.parametrize("depth", [50, 199, 200])
def test_deep_expression_nesting_never_raises(depth):
    nested = "(" * depth + "1" + ")" * depth
    source = HANDLER_HEAD + f"    x = {nested}\n    return requests.get(URL)\n"
    assert set(codes(check_source(source, "deep.py"))) <= {"HB000", "HB201"}


def test_deep_list_nesting_never_raises():
    source = HANDLER_HEAD + "    x = " + "[" * 200 + "]" * 200 + "\n    return requests.get(URL)\n"
    assert set(codes(check_source(source, "deep.py"))) <= {"HB000", "HB201"}


def test_deep_block_nesting_never_raises():
    lines = [HANDLER_HEAD.rstrip("\n")]
    for level in range(1, 120):
        lines.append("    " * level + "if x:")
    lines.append("    " * 120 + "requests.get(URL)")
    assert set(codes(check_source("\n".join(lines) + "\n", "deep.py"))) <= {"HB000", "HB201"}


def test_deep_but_parseable_nesting_still_finds():
    lines = [HANDLER_HEAD.rstrip("\n")]
    for level in range(1, 40):
        lines.append("    " * level + "if x:")
    lines.append("    " * 40 + "requests.get(URL)")
    assert codes(check_source("\n".join(lines) + "\n", "deep.py")) == ["HB201"]


def test_file_without_trigger_words_is_not_parsed(monkeypatch):
    import libcst

    def fail(*_args, **_kwargs):
        raise AssertionError("the gate should have stopped this file")

    monkeypatch.setattr(libcst, "parse_module", fail)
    assert check_source("def add(a, b):\n    return a + b\n", "plain.py") == []
