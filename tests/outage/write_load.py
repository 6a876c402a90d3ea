"""A bounded stream of POSTs from a few threads, recording every answer for the test to judge."""

from __future__ import annotations

import itertools
import threading
import uuid
from dataclasses import dataclass, field
from types import TracebackType

import httpx

MAX_REQUESTS = 20_000
PAUSE_S = 0.02  # per thread: with 4 threads, at most about 200 requests a second


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    content_type: str
    retry_after: str | None
    item_id: str | None


@dataclass
class WriteLoad:
    """POSTs new items until stopped or MAX_REQUESTS; use as a context manager."""

    base_url: str
    token: str
    threads: int = 4
    answers: list[Answer] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _workers: list[threading.Thread] = field(default_factory=list)
    _numbers: itertools.count[int] = field(default_factory=itertools.count)

    def __enter__(self) -> WriteLoad:
        self._workers = [threading.Thread(target=self._post_until_stopped, daemon=True) for _ in range(self.threads)]
        for worker in self._workers:
            worker.start()
        return self

    def __exit__(self, *_exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self._stop.set()
        for worker in self._workers:
            worker.join(timeout=30)

    def snapshot(self) -> list[Answer]:
        with self._lock:
            return list(self.answers)

    def _post_until_stopped(self) -> None:
        run = uuid.uuid4().hex[:8]
        headers = {"Authorization": self.token}
        with httpx.Client(base_url=self.base_url, headers=headers, timeout=30) as client:
            while not self._stop.wait(PAUSE_S):
                number = next(self._numbers)
                if number >= MAX_REQUESTS:
                    return
                body = {"sku": f"OUT-{run}-{number}", "name": "n", "price": {"amount_minor": 1, "currency": "EUR"}}
                try:
                    response = client.post("/v1/items", json=body)
                except httpx.TransportError:
                    continue  # the server itself never went away; count only answers
                item_id = response.json().get("id") if response.status_code == 201 else None
                answer = Answer(
                    response.status_code,
                    response.headers.get("content-type", ""),
                    response.headers.get("retry-after"),
                    item_id,
                )
                with self._lock:
                    self.answers.append(answer)
