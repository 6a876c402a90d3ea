"""A server process started in a session of its own, so that it and every child it forks go down together."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from typing import IO

REAP_TIMEOUT_S = 30.0


class ProcessGroup:
    """The process and its children, signalled through its process-group id, which is its PID."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self._process = process

    @classmethod
    def start(
        cls, command: list[str], environment: dict[str, str], output: IO[bytes], user: str | None = None
    ) -> ProcessGroup:
        """`command` with stdout and stderr in `output`, as `user` when given (only root may switch)."""
        process = subprocess.Popen(
            command,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            user=user,
        )
        return cls(process)

    @property
    def pid(self) -> int:
        return self._process.pid

    def alive(self) -> bool:
        return self._process.poll() is None

    def wait_and_reap(self, timeout_s: float = REAP_TIMEOUT_S) -> int:
        """Waits for the leader to exit, then kills whatever of its group is left; its exit code."""
        code = self._process.wait(timeout_s)
        self._signal_group(signal.SIGKILL)
        return code

    def kill(self) -> None:
        """SIGKILL the whole group and reap the leader; nothing is left behind, even on a failed test."""
        self._signal_group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(REAP_TIMEOUT_S)

    def _signal_group(self, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._process.pid, sig)
