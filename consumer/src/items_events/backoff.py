"""Exponential backoff with a cap and jitter, for reconnecting without a thundering herd."""

from __future__ import annotations

import random
from collections.abc import Callable


class Backoff:
    """Delays that double from `initial_s` up to `cap_s`; each is jittered within its upper half."""

    def __init__(
        self,
        initial_s: float = 0.5,
        cap_s: float = 30.0,
        factor: float = 2.0,
        uniform: Callable[[float, float], float] = random.uniform,
    ) -> None:
        if not 0 < initial_s <= cap_s or factor < 1:
            raise ValueError("backoff needs 0 < initial_s <= cap_s and factor >= 1")
        self._initial_s = initial_s
        self._cap_s = cap_s
        self._factor = factor
        self._uniform = uniform
        self._attempts = 0

    def next_delay(self) -> float:
        """The delay before the next attempt; each call counts one more failure."""
        ceiling = min(self._cap_s, self._initial_s * self._factor**self._attempts)
        self._attempts += 1
        return self._jittered(ceiling)

    def longest_delay(self) -> float:
        """The capped delay, for failures that a quick retry cannot fix."""
        self._attempts += 1
        return self._jittered(self._cap_s)

    def reset(self) -> None:
        self._attempts = 0

    def _jittered(self, ceiling: float) -> float:
        # "Equal jitter": never zero (no hot loop), yet relays restarted together spread out.
        return self._uniform(ceiling / 2, ceiling)
