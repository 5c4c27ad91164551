"""collector.paused(): the cyclic collector held off, and what lives for the run frozen before it is back."""

from __future__ import annotations

import gc
from typing import Iterator, List

import pytest

from flake8_handler_block import collector


@pytest.fixture(autouse=True)
def _restore_collector() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    gc.unfreeze()  # what a test froze goes back to the collector
    (gc.enable if was else gc.disable)()


def _kept(n: int) -> List[List[int]]:
    return [[i] for i in range(n)]  # containers: each counts as an allocation for the collector


def test_nothing_built_nothing_frozen() -> None:
    collector.freeze_long_lived()  # what earlier tests built is frozen already
    frozen = gc.get_freeze_count()
    with collector.paused():
        assert not gc.isenabled()
        kept = _kept(5000)
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen  # what lives only for the pause is left to the collector
    del kept


def test_what_was_built_is_frozen_before_the_collector_is_back() -> None:
    with collector.paused():
        kept = _kept(5000)
        collector.built_long_lived()
    assert gc.isenabled()
    assert gc.get_freeze_count() >= 5000
    # The count was reset: re-enabling runs no collection over what was built.
    assert gc.get_count()[0] < 100
    del kept


def test_only_the_outermost_pause_freezes_and_enables() -> None:
    collector.freeze_long_lived()
    frozen = gc.get_freeze_count()
    with collector.paused():
        with collector.paused():
            kept = _kept(100)
            collector.built_long_lived()
        assert not gc.isenabled()
        assert gc.get_freeze_count() == frozen  # the inner pause froze nothing
    assert gc.isenabled()
    assert gc.get_freeze_count() >= frozen + 100
    del kept


def test_a_pause_with_the_collector_off_leaves_it_off() -> None:
    gc.disable()
    with collector.paused():
        collector.built_long_lived()
    assert not gc.isenabled()
    collector.freeze_long_lived()  # not left pending for the next test
