"""Every harness example in README.md and docs/harness.md runs, and prints what the text claims.

Examples run from testdata/harness/docs/ against its app.py. A claim is a comment in a Python
example (`# handler 'stock' stuck 1.00s at app.py:26 ...`) or the output under a `$ command`
line; durations match any duration and `...` matches anything.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from typing import List, Tuple

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS_APP = os.path.join(ROOT, "testdata", "harness", "docs")
CLAIM = re.compile(r"#\s*((?:handler|event loop|leak|hangcheck|app\.py).*)$")


def harness_text(path: str) -> str:
    with open(os.path.join(ROOT, path), encoding="utf-8") as fh:
        text = fh.read()
    if path == "README.md":  # only its harness section
        start = text.index("## Runtime harness")
        text = text[start:text.index("\n## ", start + 1)]
    return text


def blocks(path: str) -> List[Tuple[str, str]]:
    """(language, code) of every fenced block."""
    return [(m.group(1), m.group(2)) for m in re.finditer(r"```(\w*)\n(.*?)```", harness_text(path), re.S)]


def pattern(claim: str) -> "re.Pattern[str]":
    parts = [re.escape(p) for p in claim.strip().split("...")]
    text = ".*".join(parts)
    text = re.sub(r"\d+\\\.\d+s", r"\\d+\\.\\d+s", text)  # any duration
    return re.compile(text)


def assert_claims(claims: List[str], output: str) -> None:
    assert claims, "the example claims nothing"
    for claim in claims:
        assert pattern(claim).search(output), f"claimed: {claim}\n--- printed:\n{output}"


def run(args: List[str], **kw: object) -> str:
    env = {**os.environ, "PYTHONPATH": DOCS_APP}
    result = subprocess.run(args, cwd=DOCS_APP, capture_output=True, text=True, timeout=120, env=env, **kw)
    return result.stdout + result.stderr


EXAMPLES = [(path, lang, code) for path in ("README.md", "docs/harness.md") for lang, code in blocks(path)
            if lang == "python" or code.lstrip().startswith("$ ")]


def example_id(example: Tuple[str, str, str]) -> str:
    path, _, code = example
    first = next(line for line in code.splitlines() if line.strip() and not line.startswith(("import", "from")))
    return f"{path}:{first.strip()[:40]}"


@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLES, ids=[example_id(e) for e in EXAMPLES])
def test_example_shows_what_it_claims(example: Tuple[str, str, str], tmp_path: object) -> None:
    path, lang, code = example
    if lang == "python":
        claims = [m.group(1) for m in map(CLAIM.search, code.splitlines()) if m]
        source = "from app import app\n" + textwrap.dedent(code)
        if "def test_" in code:  # a pytest example: run it with the plugin
            test_file = os.path.join(str(tmp_path), "test_example.py")
            with open(test_file, "w", encoding="utf-8") as fh:
                fh.write("import pytest\n" + source)
            output = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test_file])
        else:
            output = run([sys.executable, "-c", source])
        assert_claims(claims, output)
        return
    for command, expected in shell_examples(code):
        shell = re.sub(r"(^|\|\s*)flake8-handler-block ", rf"\1{sys.executable} -m flake8_handler_block ", command)
        shell = re.sub(r"(^|\|\s*)flake8 ", rf"\1{sys.executable} -m flake8 ", shell)
        output = run(["bash", "-c", shell])
        assert_claims(expected, output)


def shell_examples(code: str) -> List[Tuple[str, List[str]]]:
    found: List[Tuple[str, List[str]]] = []
    for line in code.splitlines():
        if line.startswith("$ "):
            found.append((line[2:], []))
        elif line.strip() and found:
            found[-1][1].append(line)
    return found


def test_the_docs_have_examples() -> None:
    assert {path for path, _, _ in EXAMPLES} == {"README.md", "docs/harness.md"}
    assert any("hangcheck" in code for _, _, code in EXAMPLES)
    assert any(code.lstrip().startswith("$ ") for _, _, code in EXAMPLES)
