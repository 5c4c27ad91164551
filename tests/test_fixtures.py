"""Each testdata/HBxxx.py: the exact set of (line, code) found equals its `# expect:` markers."""

from __future__ import annotations

import pytest

from flake8_handler_block.config import Config
from flake8_handler_block.engine import check_source
from fixtures import TESTDATA, excerpt, fixture_config, markers

FIXTURES = sorted(TESTDATA.glob("HB[0-9][0-9][0-9]*.py"))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_fixture(path):
    text = path.read_text(encoding="utf-8")
    expected = markers(text)
    found = {
        (line, message.split(" ", 1)[0])
        for line, _col, message in check_source(text, str(path), fixture_config(text, path))
    }
    if path.stem.startswith("HB") and "_" not in path.stem:  # the rule's main fixture
        assert any(c == path.stem for _, c in expected), f"{path.name} has no '# expect: {path.stem}' marker"
    missing, unexpected = expected - found, found - expected
    assert not (missing or unexpected), "\n" + "\n".join(
        part
        for part in (excerpt(text, missing, "missing"), excerpt(text, unexpected, "unexpected"))
        if part
    )


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_fixture_has_enough_lookalikes(path):
    """At least as many look-alike lines that must not be reported as positives."""
    text = path.read_text(encoding="utf-8")
    positives = len({line for line, _ in markers(text)})
    negatives = len(markers(text, "ok"))
    assert negatives >= positives, f"{path.name}: {positives} positives but {negatives} '# ok' look-alikes"


CLEAN = sorted((TESTDATA / "clean").glob("*.py"))


def test_there_is_clean_code():
    assert len(CLEAN) >= 3


@pytest.mark.parametrize("scope", ["reachable", "handlers"])
@pytest.mark.parametrize("path", CLEAN, ids=lambda p: p.stem)
def test_clean_code_reports_nothing(path, scope):
    """Realistic, correct code: no finding in any scope (HB000 would mean it was not analysed)."""
    text = path.read_text(encoding="utf-8")
    assert check_source(text, str(path), Config(scope=scope)) == []
