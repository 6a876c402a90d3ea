"""Long commands show progress: a live bar on a terminal, periodic plain lines elsewhere."""

from __future__ import annotations

import io

from entrypoints.progress_meter import ProgressMeter


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_off_a_terminal_a_plain_line_after_every_n_events_with_rate_and_time_left() -> None:
    out = io.StringIO()
    now = [0.0]
    with ProgressMeter(10, out, every=4, clock=lambda: now[0]) as progress:
        for _ in range(10):
            now[0] += 0.5
            progress.advance()
    lines = out.getvalue().splitlines()
    assert [line.split(" events")[0] for line in lines] == ["  4/10", "  8/10"]
    assert lines[0] == "  4/10 events sent (2.00 events/s, 00:03 left)"


def test_off_a_terminal_a_slow_run_still_says_where_it_is_every_interval() -> None:
    out = io.StringIO()
    now = [0.0]
    progress = ProgressMeter(1000, out, every=1000, interval_s=10, clock=lambda: now[0])
    for _ in range(3):
        now[0] += 6
        progress.advance()
    assert out.getvalue().splitlines() == ["  2/1000 events sent (0.17 events/s, 1:39:48 left)"]


def test_on_a_terminal_a_bar_redrawn_in_place() -> None:
    out = Terminal()
    with ProgressMeter(3, out) as progress:
        for _ in range(3):
            progress.advance()
    assert "\r" in out.getvalue() and "3/3" in out.getvalue() and "events/s" in out.getvalue()
