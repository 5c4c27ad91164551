"""The repository works as a pre-commit hook: `pre-commit try-repo`, as a user would run it.

pre-commit builds the hook's environment by installing this package, so the test
copies the working tree (the hook definition, pyproject.toml, README.md, src/) into
a throwaway git repository, commits it, and points `try-repo` at that: the result
does not depend on what is committed in the real checkout. Skipped when pre-commit
or git is not installed, or when the package index cannot be reached. Slow: run by
`.ci/run` (`pytest -m slow`), not by the default `pytest`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HOOK_ID = "flake8-handler-block"

BAD = '''\
import requests
from flask import Flask

app = Flask(__name__)


@app.get("/users/<uid>")
def show_user(uid):
    return requests.get(f"https://accounts.internal/users/{uid}").json()
'''

GOOD = BAD.replace(".json()", "", 1).replace('{uid}")', '{uid}", timeout=5).json()')

NETWORK_ERRORS = (
    "Could not find a version",
    "No matching distribution",
    "Temporary failure in name resolution",
    "Network is unreachable",
    "ConnectionError",
    "Max retries exceeded",
)


def _pre_commit() -> list:
    found = shutil.which("pre-commit") or shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    if found:
        return [found]
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        pytest.skip("pre-commit is not installed (pip install pre-commit)")
    return [sys.executable, "-m", "pre_commit"]


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)


def _new_repo(path: Path) -> None:
    path.mkdir()
    _git("init", "-q", cwd=path)
    _git("config", "user.email", "test@example.invalid", cwd=path)
    _git("config", "user.name", "test", cwd=path)
    _git("config", "commit.gpgsign", "false", cwd=path)


def _hook_repo(tmp: Path) -> Path:
    """A committed copy of the parts of the working tree that pre-commit installs."""
    repo = tmp / "hook-repo"
    _new_repo(repo)
    for name in (".pre-commit-hooks.yaml", "pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, repo / name)
    shutil.copytree(
        ROOT / "src", repo / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "*.pyc")
    )
    _git("add", "-A", cwd=repo)
    _git("commit", "-q", "-m", "hook", cwd=repo)
    return repo


@pytest.fixture(scope="module")
def try_repo(tmp_path_factory):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    command = _pre_commit()
    tmp = tmp_path_factory.mktemp("precommit")
    hook_repo = _hook_repo(tmp)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp / "cache"), "PRE_COMMIT_COLOR": "never"}
    env.pop("VIRTUAL_ENV", None)

    def run(files: dict) -> subprocess.CompletedProcess:
        user = tmp / f"user-{len(list(tmp.glob('user-*')))}"
        _new_repo(user)
        for name, text in files.items():
            (user / name).write_text(text, encoding="utf-8")
        _git("add", "-A", cwd=user)
        result = subprocess.run(
            [*command, "try-repo", str(hook_repo), HOOK_ID, "--all-files", "--verbose"],
            cwd=user, env=env, capture_output=True, text=True, timeout=900,
        )
        output = result.stdout + result.stderr
        if result.returncode not in (0, 1) or (
            result.returncode == 1 and HOOK_ID not in output and any(e in output for e in NETWORK_ERRORS)
        ):
            if any(e in output for e in NETWORK_ERRORS):
                pytest.skip("pre-commit could not install the hook: package index unreachable")
        return result

    return run


@pytest.mark.slow  # pre-commit builds a virtualenv and installs the package: ~15 s a run
def test_hook_reports_bad_code_and_passes_clean_code(try_repo):
    """One try-repo run (each builds its own environment) with a bad and a clean file."""
    result = try_repo({"app.py": BAD, "clean.py": GOOD, "notes.txt": "requests.get(url)\n"})
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "HB201" in output and "app.py:9:" in output, output
    assert "clean.py:" not in output and "notes.txt:" not in output, output


def test_hook_definition_matches_the_package():
    text = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert f"- id: {HOOK_ID}" in text
    assert "entry: flake8 --select HB" in text
    assert "language: python" in text
    assert "types: [python]" in text
