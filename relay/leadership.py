"""Only one relay publishes at a time: the leadership port and its single-machine lock file."""

from __future__ import annotations

import fcntl
import logging
import os
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)


class LeadershipLost(Exception):
    """The lock that made this relay the leader is gone; it must stop publishing now."""


class Leadership(Protocol):
    """A lock held for as long as this relay may publish, plus the wake-up it may carry."""

    def try_acquire(self) -> bool:
        """Take the lock if it is free; never blocks for long, never raises."""
        ...

    def wakeup_fd(self) -> int | None:
        """A descriptor that turns readable when new rows commit, or None to rely on polling."""
        ...

    def drain_wakeups(self) -> None:
        """Consume what made `wakeup_fd` readable; raises `LeadershipLost`."""
        ...

    def verify(self) -> None:
        """Check that the lock is still held; raises `LeadershipLost`."""
        ...

    def release(self) -> None: ...


class FileLockLeadership:
    """SQLite: an exclusive `flock` on a file next to the database; the kernel frees it on exit."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        if self._fd is not None:
            return True
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def wakeup_fd(self) -> int | None:
        return None

    def drain_wakeups(self) -> None:
        return None

    def verify(self) -> None:
        # A held flock cannot be taken away from a living process.
        return None

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
