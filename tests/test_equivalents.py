"""A line that silences another linter's same check (equivalents.py) is not reported; the switch turns it off."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

import pytest

from flake8_handler_block.config import Config, ConfigError, config_from_table
from flake8_handler_block.engine import check_source
from flake8_handler_block.equivalents import EQUIVALENTS, silenced_elsewhere

TASKS = '''\
import asyncio


async def job():
    await asyncio.sleep(1)


async def handler():
    asyncio.create_task(job())  # noqa: RUF006
    asyncio.create_task(job())
'''


@pytest.mark.parametrize(
    "comment, silenced",
    [
        ("# noqa: RUF006", True),
        ("#noqa:RUF006", True),
        ("# NOQA: E501,RUF006", True),
        ("# deliberate  # noqa: E501 RUF006", True),
        ("# noqa: RUF0061", False),
        ("# noqa: RUF005", False),
        ("# noqa", False),  # a bare noqa is flake8's business: it silences every code already
        ("# pylint: disable=RUF006", False),
        ("# RUF006", False),
    ],
)
def test_ruff_noqa_for_a_dropped_task(comment, silenced):
    assert silenced_elsewhere("HB502", [comment]) is silenced


@pytest.mark.parametrize(
    "comment, silenced",
    [
        ("# noqa: S113", True),
        ("# pylint: disable=missing-timeout", True),
        ("# pylint:disable=W0613, W3101", True),
        ("# pylint: disable=missing-timeout-x", False),
        ("# noqa: S112", False),
    ],
)
def test_timeout_checks_of_other_linters(comment, silenced):
    assert silenced_elsewhere("HB201", [comment]) is silenced


def test_only_exact_equivalents():
    """A code of ours without an equivalent is never silenced by another linter's comment."""
    assert not silenced_elsewhere("HB601", ["# noqa: S113, RUF006"])
    assert set(EQUIVALENTS) == {"HB201", "HB502"}


def test_engine_drops_the_silenced_line_unless_switched_off():
    on = check_source(TASKS, "tasks.py", Config(scope="all", project_reach=False))
    off = check_source(TASKS, "tasks.py", Config(scope="all", project_reach=False, equivalent_noqa=False))
    assert [line for line, _, _ in on] == [10]
    assert [line for line, _, _ in off] == [9, 10]


def test_the_setting():
    assert Config().equivalent_noqa
    assert not config_from_table({"equivalent-noqa": False}, "x").equivalent_noqa
    assert not config_from_table({}, "x", SimpleNamespace(hb_equivalent_noqa="false")).equivalent_noqa
    with pytest.raises(ConfigError, match="equivalent-noqa"):
        config_from_table({"equivalent-noqa": "sometimes"}, "x")


@pytest.mark.slow
def test_through_flake8(tmp_path):
    path = tmp_path / "tasks.py"
    path.write_text(TASKS)
    command = [sys.executable, "-m", "flake8", "--isolated", "--select", "HB"]

    def lines(*args):
        result = subprocess.run([*command, *args, str(path)], capture_output=True, text=True, timeout=120)
        return sorted(int(line.split(":")[1]) for line in result.stdout.splitlines() if " HB502 " in line)

    assert lines() == [10]
    assert lines("--hb-equivalent-noqa", "false") == [9, 10]


def test_a_string_is_not_a_comment():
    """Ruff reads its noqa in comments only: the text inside a string silences nothing."""
    text = TASKS.replace("asyncio.create_task(job())  # noqa: RUF006", 'asyncio.create_task(job("# noqa: RUF006"))')
    assert [line for line, _, _ in check_source(text, "tasks.py", Config(scope="all", project_reach=False))] == [9, 10]
