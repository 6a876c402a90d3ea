"""Two benchmark runs never overlap on one machine."""

from __future__ import annotations

import fcntl
from pathlib import Path

import pytest

from bench.run_lock import exclusive_run


def try_lock(path: Path) -> None:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(handle, fcntl.LOCK_UN)


def test_while_a_run_holds_the_lock_no_other_gets_it_and_after_it_one_does(tmp_path: Path) -> None:
    lock = tmp_path / "bench.lock"
    with exclusive_run(lock), pytest.raises(BlockingIOError):
        try_lock(lock)
    try_lock(lock)
