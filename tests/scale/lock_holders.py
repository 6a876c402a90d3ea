"""Samples, every few milliseconds, which relays hold the relay lock of one PostgreSQL database."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType

from sqlalchemy import Engine, text

from relay.postgres_leadership import APPLICATION_NAME_PREFIX, RELAY_LOCK_KEY
from tests.waiting import wait_until

# pg_locks shows a bigint advisory key as two 32-bit halves; the lock is per database, and other
# databases on the same server (other test runs) may have relays of their own.
_RELAY_SESSIONS = text(
    "SELECT a.application_name, l.pid IS NOT NULL AS holds_lock "
    "FROM pg_stat_activity a LEFT JOIN pg_locks l ON l.pid = a.pid AND l.locktype = 'advisory' "
    "AND l.granted AND l.classid::bigint = :high AND l.objid::bigint = :low AND l.objsubid = 1 "
    "WHERE a.datname = current_database() AND a.application_name LIKE :prefix"
)
_KEY_PARAMETERS = {
    "high": RELAY_LOCK_KEY >> 32,
    "low": RELAY_LOCK_KEY & 0xFFFFFFFF,
    "prefix": APPLICATION_NAME_PREFIX + "%",
}


@dataclass(frozen=True, slots=True)
class LockSample:
    """At wall-clock time `at`: the pids of the relays holding the lock, and of every relay connected."""

    at: float
    holders: tuple[int, ...]
    connected: tuple[int, ...]


class LockHolderSampler:
    """A thread that queries pg_locks and pg_stat_activity every `interval_s`; use as a context manager."""

    def __init__(self, engine: Engine, interval_s: float = 0.02) -> None:
        self._engine = engine
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="lock-sampler", daemon=True)
        self._failures: list[BaseException] = []
        self.samples: list[LockSample] = []

    def __enter__(self) -> LockHolderSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._stop.set()
        self._thread.join(10)

    def between(self, start: float, end: float) -> list[LockSample]:
        """The samples taken from `start` to `end` (wall clock), oldest first."""
        self._raise_failure()
        return [sample for sample in list(self.samples) if start <= sample.at <= end]

    def wait_for(self, condition: Callable[[LockSample], bool], what: str, timeout_s: float = 20) -> LockSample:
        """The first new sample that meets `condition`; fails the test after `timeout_s`."""
        seen = len(self.samples)

        def first_new_match() -> LockSample | None:
            nonlocal seen
            self._raise_failure()
            new = self.samples[seen:]
            seen += len(new)
            return next((sample for sample in new if condition(sample)), None)

        return wait_until(first_new_match, what, timeout_s, self._interval_s)

    def _sample(self) -> None:
        try:
            with self._engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                while not self._stop.wait(self._interval_s):
                    at = time.time()
                    rows = connection.execute(_RELAY_SESSIONS, _KEY_PARAMETERS).all()
                    pids = [(int(name.removeprefix(APPLICATION_NAME_PREFIX)), holds) for name, holds in rows]
                    holders = tuple(sorted(pid for pid, holds in pids if holds))
                    self.samples.append(LockSample(at, holders, tuple(sorted(pid for pid, _ in pids))))
        except BaseException as exc:  # reported to the test by the next read, not lost in the thread
            self._failures.append(exc)

    def _raise_failure(self) -> None:
        if self._failures:
            raise AssertionError(f"sampling the relay lock failed: {self._failures[0]!r}")
