"""Each testdata/HBxxx.py: the findings are exactly its `# expect:` markers, message fragments and columns included."""

from __future__ import annotations

import pytest

from flake8_handler_block.config import Config
from flake8_handler_block.engine import check_source
from fixtures import ROOT, TESTDATA, fixture_config, fixture_markers
from markers import compare, findings

FIXTURES = sorted(TESTDATA.glob("HB[0-9][0-9][0-9]*.py"))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_fixture(path):
    text = path.read_text(encoding="utf-8")
    markers = fixture_markers(path)
    if "_" not in path.stem:  # the rule's main fixture
        assert any(item.code == path.stem for item in markers.items), f"{path.name}: no '# expect: {path.stem}'"
    comparison = compare(markers, findings(check_source(text, str(path), fixture_config(text, path))))
    if not comparison.exact:
        pytest.fail(comparison.report(text, str(path.relative_to(ROOT))), pytrace=False)


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_fixture_markers_name_what_matters(path):
    """A rule fixture states more than the code: each expected finding carries a message fragment."""
    markers = fixture_markers(path)
    bare = [f"{path.name}:{item.line}: {item.code}" for item in markers.items if not item.fragments]
    assert not bare, "expectations without a quoted message fragment:\n" + "\n".join(bare)
    assert not markers.ambiguous, f"{path.name}: 'ambiguous:' belongs to the blind set, not to a rule fixture"


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.stem)
def test_fixture_has_enough_lookalikes(path):
    """At least as many look-alike lines that must not be reported as positives."""
    markers = fixture_markers(path)
    positives = len({item.line for item in markers.items})
    negatives = len(markers.ok)
    assert negatives >= positives, f"{path.name}: {positives} positives but {negatives} '# ok:' look-alikes"


CLEAN = sorted((TESTDATA / "clean").glob("*.py"))


def test_there_is_clean_code():
    assert len(CLEAN) >= 3


@pytest.mark.parametrize("scope", ["reachable", "handlers"])
@pytest.mark.parametrize("path", CLEAN, ids=lambda p: p.stem)
def test_clean_code_reports_nothing(path, scope):
    """Realistic, correct code: no finding in any scope (HB000 would mean it was not analysed)."""
    assert not fixture_markers(path).items, f"{path.name} is clean code: it cannot expect findings"
    text = path.read_text(encoding="utf-8")
    assert check_source(text, str(path), Config(scope=scope)) == []
