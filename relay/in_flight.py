"""Published messages awaiting their broker confirm, by delivery tag."""

from __future__ import annotations

from collections import OrderedDict


class InFlightWindow:
    """Tracks delivery tag -> outbox seq; confirms may be single, out of order, or `multiple`."""

    def __init__(self) -> None:
        # An OrderedDict pops from its front in O(1); a plain dict degrades when used as a queue.
        self._by_tag: OrderedDict[int, tuple[int, float]] = OrderedDict()
        self._seqs: set[int] = set()

    def __len__(self) -> int:
        return len(self._by_tag)

    def add(self, delivery_tag: int, seq: int, sent_at: float) -> None:
        self._by_tag[delivery_tag] = (seq, sent_at)
        self._seqs.add(seq)

    def confirm(self, delivery_tag: int, multiple: bool) -> list[int]:
        """Forget the confirmed deliveries and return their seqs; unknown tags are ignored."""
        confirmed: list[int] = []
        if multiple:
            while self._by_tag and next(iter(self._by_tag)) <= delivery_tag:
                confirmed.append(self._by_tag.popitem(last=False)[1][0])
        elif delivery_tag in self._by_tag:
            confirmed.append(self._by_tag.pop(delivery_tag)[0])
        self._seqs.difference_update(confirmed)
        return confirmed

    def oldest_sent_at(self) -> float | None:
        """When the longest-waiting delivery was sent (tags grow with time)."""
        if not self._by_tag:
            return None
        return next(iter(self._by_tag.values()))[1]

    def seqs(self) -> set[int]:
        """The outbox rows in flight (a live view: copy it to keep it)."""
        return self._seqs

    def clear(self) -> None:
        self._by_tag.clear()
        self._seqs.clear()
