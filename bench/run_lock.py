"""One benchmark run at a time on this machine: two at once would share its cores, its databases and its relays."""

from __future__ import annotations

import fcntl
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def default_lock_path() -> Path:
    """Beside every checkout of the project on this machine, not inside one."""
    return Path(tempfile.gettempdir()) / "items-bench.lock"


@contextmanager
def exclusive_run(path: Path | None = None) -> Iterator[None]:
    """Hold the machine's benchmark lock for the block, waiting (and saying so) while another run has it."""
    lock_path = path or default_lock_path()
    with lock_path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"waiting for another benchmark run to finish (it holds {lock_path})", file=sys.stderr, flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
