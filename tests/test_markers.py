"""The marker grammar (markers.py): what parses, what fails loudly, and how findings are paired."""

from __future__ import annotations

import pytest

from markers import Finding, Item, MarkerError, compare, read_markers

KNOWN = {"HB101", "HB103", "HB201", "HB203", "HB501", "HB601"}


def parse(source: str):
    return read_markers(source, "app.py", KNOWN)


def finding(line: int, column: int, message: str) -> Finding:
    return Finding(line, column, message.split(" ", 1)[0], message)


def test_codes_fragments_columns_and_tags():
    markers = parse(
        "x = 1\n"
        "r = s.get(u).json()  # expect: HB201[col=5] \"s.get()\" 'handler \"show\"', HB601\n"
        "t.start()  # expect:HB501@pdf \"Thread()\"\n"
    )
    assert markers.items == [
        Item(2, "HB201", 5, ("s.get()", 'handler "show"')),
        Item(2, "HB601"),
        Item(3, "HB501", None, ("Thread()",), "pdf"),
    ]


def test_ok_and_ambiguous_with_reasons_that_hold_semicolons():
    markers = parse(
        "a = 1  # ok: timeout is a name; the helper sets it\n"
        "b = 2  # ok: HB203 default timeout; HB101, HB103 context manager\n"
        "c = 3  # ambiguous: HB601 the spec's wording; see the issue\n"
        "d = 4  # expect: HB601 \"a; b\"; ok: HB201 timeout given\n"
    )
    assert markers.ok == {1: (), 2: ("HB203", "HB101", "HB103"), 4: ("HB201",)}
    assert markers.ambiguous == {(3, "HB601")}
    assert markers.items == [Item(4, "HB601", None, ("a; b",))]


def test_markers_are_read_from_comments_only():
    source = 's = "# expect: HB999 not a comment"\nt = """\n# expect: HB201 because\n"""\n'
    assert parse(source).items == []


@pytest.mark.parametrize(
    "comment, problem",
    [
        ("# expect: HB201 because it has no timeout", "is not a quoted fragment"),
        ("# expect: HB999", "unknown code HB999"),
        ("# expect: HB201 \"requests.get()", "missing closing quote"),
        ("# expect: HB201 \"\"", "empty fragment"),
        ("# expect: HB201[column=3]", "expected '[col=N]'"),
        ("# expect: HB201[col=0]", "columns start at 1"),
        ("# expect:", "expected a code"),
        ("# expect: HB201,", "expected a code"),
        ("# expect HB201", "lower case, with a colon"),
        ("# Expect: HB201", "lower case, with a colon"),
        ("# expected: HB201", "lower case, with a colon"),
        ("# OK: fine", "lower case, with a colon"),
        ("# ok: HB777 looks like one", "unknown code HB777"),
        ("# ambiguous: the spec is unclear", "'ambiguous:' needs a code"),
        ("# see HB201 in the docs", "a code in a comment that is not a marker"),
        ("# expect: HB201; nonsense", "starts with neither a keyword nor a code"),
    ],
)
def test_malformed_markers_fail_with_file_and_line(comment, problem):
    source = f"x = 1\ny = call()  {comment}\n"
    with pytest.raises(MarkerError) as raised:
        parse(source)
    (report,) = [line for line in str(raised.value).splitlines() if line.startswith("app.py:2: ")]
    assert problem in report and comment in report


def test_every_malformed_marker_is_listed():
    source = "a()  # expect: HB201 oops\nb()  # expect HB201\nc()  # expect: HB201 \"ok\"\n"
    with pytest.raises(MarkerError) as raised:
        parse(source)
    assert "app.py:1:" in str(raised.value) and "app.py:2:" in str(raised.value)
    assert "app.py:3:" not in str(raised.value)


@pytest.mark.parametrize("other", ["ambiguous", "ok"])
def test_expected_and_excused_on_one_line_is_a_contradiction(other):
    with pytest.raises(MarkerError, match=f"app.py:1: HB601 both expected and {other}"):
        parse(f"a()  # expect: HB601; {other}: HB601 unsure\n")


def test_fragment_and_column_must_match():
    markers = parse("r = requests.get(u)  # expect: HB201[col=5] \"requests.get()\"\n")
    right = finding(1, 5, "HB201 requests.get() has no timeout")
    assert compare(markers, [right]).exact
    wrong_column = compare(markers, [finding(1, 1, right.message)])
    wrong_message = compare(markers, [finding(1, 5, "HB201 fetch() has no timeout")])
    for comparison in (wrong_column, wrong_message):
        assert not comparison.exact and len(comparison.missing) == 1 and len(comparison.unexpected) == 1


def test_two_findings_of_one_code_need_two_items():
    markers = parse("a(b())  # expect: HB201 \"b()\"\n")
    two = [finding(1, 1, "HB201 a() has no timeout"), finding(1, 3, "HB201 b() has no timeout")]
    comparison = compare(markers, two)
    assert [f.message for f in comparison.unexpected] == ["HB201 a() has no timeout"]


def test_pairing_is_not_greedy():
    """The loose item must not take the only finding the strict item accepts."""
    markers = parse("x.get(y.get())  # expect: HB201 \"get()\", HB201 \"x.get()\"\n")
    found = [finding(1, 1, "HB201 x.get() has no timeout"), finding(1, 7, "HB201 y.get() has no timeout")]
    assert compare(markers, found).exact


def test_a_tagged_group_is_one_finding_on_any_of_its_lines():
    markers = parse(
        "w = Thread(target=f)  # expect: HB501@w \"Thread()\"\n"
        "w.start()  # expect: HB501@w \"started\"\n"
    )
    assert compare(markers, [finding(1, 5, "HB501 Thread() thread is never joined")]).exact
    assert compare(markers, [finding(2, 1, "HB501 w.start() started and never joined")]).exact
    assert not compare(markers, [finding(2, 1, "HB501 Thread() is never joined")]).exact
    both = compare(markers, [finding(1, 5, "HB501 Thread() x"), finding(2, 1, "HB501 started")])
    assert len(both.unexpected) == 1


def test_ambiguous_findings_are_left_out():
    markers = parse("f.result()  # ambiguous: HB601 unclear\n")
    comparison = compare(markers, [finding(1, 1, "HB601 f.result() blocks")])
    assert comparison.exact and len(comparison.excluded) == 1


def test_report_shows_the_line_and_a_caret():
    source = "def h():\n    r = requests.get(u)  # expect: HB201 \"requests.get() has no timeout\"\n"
    comparison = compare(parse(source), [finding(2, 9, "HB201 requests.get() passes timeout=None")])
    report = comparison.report(source, "app.py")
    assert 'app.py:2: missing HB201 "requests.get() has no timeout"' in report
    assert "\n            ^\n" in report  # under column 9 of the source line, indented by 4
    assert "reported instead at col 9: HB201 requests.get() passes timeout=None" in report
    assert "unexpected" not in report  # the surprise was shown as "reported instead"
    extra = compare(parse(source), [finding(2, 9, "HB201 requests.get() has no timeout"), finding(1, 1, "HB601 x")])
    assert "app.py:1:1: unexpected HB601 x\n    def h():\n    ^" in extra.report(source, "app.py")
