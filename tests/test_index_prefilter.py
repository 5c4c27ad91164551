"""The index's text pre-filters: a module a pre-filter skips is one whose summary could not have
changed the answer, so the answers are those of reading every module."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import pytest

from flake8_handler_block.catalog import last_names_read_as
from flake8_handler_block.config import Config
from flake8_handler_block.project import index
from flake8_handler_block.project.graph import _called_name
from flake8_handler_block.project.summary import CALL, summarise
from flake8_handler_block.project.tree import ProjectTree, may_forward_kwargs, may_pass_timeout_param
from fixtures import TESTDATA
from project_helpers import PROJECTS, copy_project, write_project

FORWARDING = (
    "def get(url, **kw):\n    return requests.get(url, **kw)\n",
    "def get(url, **  kw):\n    return requests.get(url, ** kw)\n",
    "def get(url, **kw):\n    return requests.get(url, **(kw))\n",
    "def get(url, **kw):\n    return requests.get(\n        url, **  # what the caller gave\n        kw)\n",
    "def get(url, **kw):\n    return requests.get(url, **\\\n        kw)\n",
    "def get(url, **réglages):\n    return requests.get(url, **réglages)\n",
    "def get(url, **kw):\n    return requests.get(url, \ufffd**k)\n",  # not UTF-8: not known
    # super() only where it is the builtin, and only for the call it makes itself
    "class A(B):\n    def __init__(self, **kw):\n        super().__init__(x=make(**kw))\n",
    "class A(B):\n    def __init__(self, super, **kw):\n        super().__init__(**kw)\n",
    "super = B\nclass A(B):\n    def __init__(self, **kw):\n        super().__init__(**kw)\n",
    "class A(B):\n    def __init__(self, **kw):\n        super().__init__  (**kw)\n        self.get(**kw)\n",
    # a bracket in a comment is not the call's
    "def get(url, **kw):\n    return requests.get(url,  # see [the docs\n        **kw)\n",
    "def get(url, **kw):\n    return requests.get(url, '(', **kw)\n",
    "lambda **kw: requests.get(**kw)\n",
)
NOT_FORWARDING = (
    "",
    "def get(url):\n    return requests.get(url)\n",
    "def get(url, **kw):\n    return requests.get(url)\n",
    "def get(url, **kw):\n    return requests.get(url, **other)\n",
    "x = 2 ** 8\ny = {**defaults}\n",
    "def get(url, **kw):\n    return {**kw}\n",
    "class A(B):\n    def __init__(self, *args, **kwargs):\n        super().__init__(*args, **kwargs)\n",
    "class A(B):\n    def save(self, **kwargs):\n        super(A, self).save(\n            **kwargs\n        )\n",
)


@pytest.mark.parametrize("text", [t for t in NOT_FORWARDING if "super" in t])
def test_the_summary_never_resolves_a_super_call(text: str) -> None:
    """What lets the text filter pass ``super().m(**kwargs)`` by: should the summaries ever
    resolve such a call, the filter must take it as a call like any other."""
    summary = summarise(text, "m", "m.py")
    assert not any(function.forwards for function in summary.functions)


@pytest.mark.parametrize("text", FORWARDING)
def test_a_module_that_may_pass_its_kwargs_on(text: str) -> None:
    assert may_forward_kwargs(text)


@pytest.mark.parametrize("text", NOT_FORWARDING)
def test_a_module_that_cannot_pass_its_kwargs_on(text: str) -> None:
    assert not may_forward_kwargs(text)


@pytest.mark.parametrize("text, expected", [
    ("def get(url, timeout=None):\n    return requests.get(url, timeout=timeout)\n", True),
    ("def get(url, t=None):\n    return requests.get(url, timeout=t\n    )\n", True),
    ("def get(url, timeout=UNSET):\n    kw = {}\n    if timeout is not UNSET:\n        kw['timeout'] = timeout\n",
     True),
    ("requests.get(url, timeout=None)\nrequests.get(url, timeout=3)\n", False),
    ("requests.get(url, timeout=self.timeout)\n", False),
    ("x = {'timeout': 3}\n", False),
    ("def get(url):\n    return requests.get(url)\n", False),
])
def test_a_module_that_may_pass_a_timeout_parameter_on(text: str, expected: bool) -> None:
    assert may_pass_timeout_param(text) is expected


def _sources() -> List[Path]:
    return sorted(TESTDATA.rglob("*.py"))


def test_every_module_whose_summary_passes_kwargs_on_passes_the_text_filter() -> None:
    """Over every Python file of testdata: a summary with a ``Forward`` comes from a text
    ``may_forward_kwargs`` accepts (``may_pass_timeout_param`` for a timeout parameter passed on),
    and the name each call is read as is spelled in the text."""
    forwarding = passing_params = 0
    for path in _sources():
        raw = path.read_bytes()
        text = raw.decode("utf-8", "replace")
        summary = summarise(raw, "m", str(path))
        forwards = [forward for function in summary.functions for forward in function.forwards]
        if any(not forward.param for forward in forwards):
            forwarding += 1
            assert may_forward_kwargs(text), path
        if any(forward.param for forward in forwards):
            passing_params += 1
            assert may_pass_timeout_param(text), path
        for function in summary.functions:
            for edge in function.edges:
                name = _called_name(edge.callee)
                if edge.how == CALL and name.isidentifier():
                    assert any(word in text for word in last_names_read_as(name)), (path, name)
    assert forwarding >= 3 and passing_params >= 2


def test_names_canonical_renames() -> None:
    assert last_names_read_as("fetch") == {"fetch"}
    assert {"Session", "session"} <= last_names_read_as("Session")


def test_the_files_naming_a_word(tmp_path: Path) -> None:
    root = write_project(tmp_path, {"pyproject.toml": "", "a.py": "fetch()\n", "b.py": "x = 1\n", "c.py": "# fetch\n"})
    tree = ProjectTree(str(root), Config(), index._cache(str(root), Config(cache=False)), 100, float("inf"))
    assert tree.naming({"fetch"}) == ["a.py", "c.py"]
    assert tree.naming({"nothing"}) == []
    tree.summary("b.py")  # read already: kept, whatever its text
    assert tree.naming({"nothing"}) == ["b.py"]


WRAPPERS: Dict[str, str] = {
    "pyproject.toml": "",
    "app/__init__.py": "",
    "app/client.py": "import requests\n\n\ndef fetch(url, **kw):\n    return requests.get(url, **kw)\n",
    "app/more.py": "from app.client import fetch\n\n\ndef fetch_json(url, **options):\n"
                   "    return fetch(url, **options).json()\n",
    "app/jobs.py": "from app import more\n\n\ndef nightly():\n    return more.fetch_json('https://example.com')\n",
    "app/quiet.py": "def nightly():\n    return 1\n",
    "app/sessions.py": "import requests\n\n\ndef make():\n    return requests.session()\n",
}


@pytest.mark.parametrize("name", [*sorted(p.name for p in PROJECTS.iterdir() if p.is_dir()), "wrappers"])
def test_the_reach_is_that_of_reading_every_module(
    tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_project(tmp_path / name, WRAPPERS) if name == "wrappers" else copy_project(name, tmp_path)
    config = Config(cache=False)

    def built() -> index._Project:
        index.clear()
        project = index._Project(str(root), config)
        project.build()
        assert project.tree is not None and project.reach is not None and not project.error
        return project

    filtered = built()
    monkeypatch.setattr(ProjectTree, "may_forward", lambda self, path: True)
    monkeypatch.setattr(ProjectTree, "naming", lambda self, words: list(self.files))
    every = built()
    assert filtered._saved() == every._saved()
    assert filtered.tree is not None and every.tree is not None
    assert len(every.tree._summaries) == len(every.tree.files)
    if name == "wrappers":
        assert filtered.reach is not None and filtered.reach.forwarding
        assert "app/quiet.py" not in filtered.tree._summaries
