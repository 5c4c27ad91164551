""".ci/run stays in step with the README and with the pytest configuration."""

from __future__ import annotations

import re
import sys

from fixtures import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

CI = (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def _shell_blocks(markdown: str):
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", markdown, re.S)]


def test_ci_runs_the_readme_test_command_verbatim():
    blocks = _shell_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(blocks) >= 2, "the README's set-up section has two sh blocks: install, then test"
    test_command = blocks[1]
    assert "pytest" in test_command
    assert any(line.strip() == test_command for line in CI.splitlines()), (
        f"README's test command is not in .ci/run:\n  {test_command}"
    )


def test_ci_runs_the_slow_tests_the_default_run_leaves_out():
    options = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    assert "-m 'not slow'" in options["addopts"]
    assert any(marker.startswith("slow:") for marker in options["markers"])
    assert "pytest -m slow" in CI
    assert "mypy" in CI and "flake8" in CI
