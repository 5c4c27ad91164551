"""What a class keeps of its constructor's parameter (``self.owner = owner``) when the module never
makes the class itself: the project's calls of the class say (gpt-researcher's skills, each made as
``Skill(self)`` by the agent, reach the agent's other skills through ``self.researcher``). And an
import the root does not hold, read from a directory above the module that the project puts on
``sys.path`` (gpt-researcher's ``backend/server/app.py`` imports ``from server.utils import ...``)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from flake8_handler_block.project.root import path_entries
from project_helpers import markers_hold

SKILLS = '''import subprocess


class Scraper:
    def __init__(self, owner):
        self.owner = owner

    def scrape(self, url):
        subprocess.run(["curl", url])  # {scrape}
        return self.owner


class Planner:
    def __init__(self, owner):
        self.owner = owner

    def plan(self, query):
        subprocess.run(["date"])  # expect: HB204 "handler 'research' (app/views.py:9) via Agent.research()"
        return self.owner.scraper.scrape(query)
'''

AGENT = '''from .skills import Planner, Scraper


class Agent:
    def __init__(self):
        self.scraper = Scraper(self)
        self.planner = Planner({planner_owner})

    def research(self, query):
        return self.planner.plan(query)
'''

VIEWS = '''from flask import Flask

from .agent import Agent

app = Flask(__name__)


@app.route("/research/<query>")
def research(query):
    return Agent().research(query)
'''

EXPECTED = ('expect: HB204 "handler \'research\' (app/views.py:9) via Agent.research() -> Planner.plan() '
            '-> Scraper.scrape()"')


def _holds(tmp_path: Path, planner_owner: str = "self", found: bool = True, more: str = "") -> None:
    files = {
        "app/__init__.py": "",
        "app/skills.py": SKILLS.format(scrape=EXPECTED if found else ""),
        "app/agent.py": AGENT.format(planner_owner=planner_owner) + more,
        "app/views.py": VIEWS,
    }
    markers_hold(tmp_path, files, "app/skills.py")


def test_the_owner_every_call_passes_is_what_the_skill_keeps(tmp_path: Path) -> None:
    _holds(tmp_path)


def test_an_owner_of_unknown_kind_says_nothing(tmp_path: Path) -> None:
    # `Planner(config)`: a value the project does not define, so `self.owner` may be anything
    _holds(tmp_path, planner_owner="object()", found=False)


def test_another_call_passing_a_value_of_unknown_kind_says_nothing(tmp_path: Path) -> None:
    _holds(tmp_path, found=False, more="\n\ndef plan_alone(settings):\n    return Planner(settings).plan('x')\n")


def test_a_class_named_without_a_call_says_nothing(tmp_path: Path) -> None:
    # a factory table may make it with anything
    _holds(tmp_path, found=False, more="\n\nFACTORIES = {'planner': Planner}\n")


SERVER_UTILS = '''import subprocess

import requests


def ping(url):
    return requests.get(url)  # expect: HB201


def refresh():
    subprocess.run(["git", "pull"])  # {expect}
'''

APP = '''import os
import sys

from fastapi import FastAPI

{insert}
from server.utils import refresh

app = FastAPI()


@app.post("/refresh")
def refresh_view():
    refresh()
'''


@pytest.mark.parametrize(
    "insert, found",
    [
        ("sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))", True),
        ("sys.path.append(os.path.join(os.path.dirname(__file__), '..'))", True),
        ("", False),  # nothing puts backend/ on the path: `server` is another distribution
        ("sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))", False),  # backend/server/ itself
    ],
)
def test_an_import_from_a_directory_the_project_puts_on_sys_path(tmp_path: Path, insert: str, found: bool) -> None:
    expected = "expect: HB204 \"handler 'refresh_view' (backend/server/app.py:13) via refresh()\"" if found else ""
    files = {
        "backend/__init__.py": "",
        "backend/server/__init__.py": "",
        "backend/server/app.py": APP.format(insert=insert),
        "backend/server/utils.py": SERVER_UTILS.format(expect=expected),
    }
    markers_hold(tmp_path, files, "backend/server/utils.py")


@pytest.mark.parametrize(
    "source, levels",
    [
        ("sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))", {1}),
        ("sys.path.insert(0, os.path.dirname(os.path.dirname(__file__)))", {2}),
        ("here = Path(__file__).resolve().parent.parent\nsys.path.append(str(here))", {2}),
        ("sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..'))", {3}),
        ("sys.path.insert(0, os.path.abspath(__file__))", set()),  # the file itself: no directory
        ("sys.path.insert(0, os.path.join(os.path.dirname(__file__), 'lib'))", set()),  # not above it
        ("sys.path.insert(0, os.getcwd())", set()),
    ],
)
def test_the_directories_a_module_puts_on_sys_path(source: str, levels: set) -> None:
    ast.parse(source)
    assert path_entries("import os, sys\nfrom pathlib import Path\n" + source) == frozenset(levels)
