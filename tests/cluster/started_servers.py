"""The context-manager part of the cluster harness: start on entry, stop on exit, and stop if starting fails."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class StartedServers:
    """Subclasses start their servers in `_start` and stop every one of them, by PID, in `close`."""

    def _start(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        try:
            self._start()
        except BaseException:
            self.close()  # whatever had started before the failure
            raise
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()
