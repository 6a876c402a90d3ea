"""The benchmark's target checks hold the issue's thresholds: met at the limit, missed just past it."""

from __future__ import annotations

from bench.load import LoadResult
from bench.open_loop import Exchange
from bench.options import parse_options
from bench.scenarios import DEFAULT_SCENARIOS, SCENARIOS
from bench.scenarios.base import ScenarioResult, TargetCheck
from bench.scenarios.event_latency import LatencyRun
from bench.scenarios.event_latency import _report as report_latency
from bench.scenarios.event_write_report import _checks as pipeline_checks
from bench.scenarios.item_endpoints import _checks as endpoint_checks
from bench.scenarios.worker_memory import MemoryRun, Reading
from bench.scenarios.worker_memory import _report as report_memory
from bench.stats import Summary

MODES = ("keep-alive", "close")


def summary(rate: float, p99_ms: float = 10.0) -> Summary:
    return Summary(5, rate, rate, rate, 5.0, p99_ms, 1.0, 0.5, 0)


def met(checks: list[TargetCheck], words: str) -> list[bool]:
    return [check.met for check in checks if words in check.target]


def endpoints(get_rate: float, get_p99: float, post_rate: float) -> list[TargetCheck]:
    summaries = {}
    for mode in MODES:
        summaries |= {
            ("ours", "get", mode): summary(get_rate, get_p99),
            ("flask", "get", mode): summary(1000, 10.0),
            ("ours", "post", mode): summary(post_rate),
            ("fastapi", "post", mode): summary(500),
        }
    return endpoint_checks(summaries, "ours")


def test_get_must_match_bare_flask_and_its_p99_stay_within_1_2x_in_both_connection_modes() -> None:
    assert met(endpoints(1000, 12.0, 500), "GET req/s") == [True, True]
    assert met(endpoints(1000, 12.0, 500), "GET p99") == [True, True]
    assert met(endpoints(990, 12.0, 500), "GET req/s") == [False, False]
    assert met(endpoints(1000, 12.2, 500), "GET p99") == [False, False]


def test_post_with_its_outbox_row_must_match_fastapis_insert_and_is_p1() -> None:
    assert met(endpoints(1000, 10.0, 500), "P1 ") == [True, True]
    assert met(endpoints(1000, 10.0, 495), "P1 ") == [False, False]


def test_post_with_the_pipeline_running_must_beat_the_naive_peer_by_1_2x() -> None:
    def checks(rate: float) -> list[bool]:
        summaries = {("ours", mode): summary(rate) for mode in MODES}
        summaries |= {("naive", mode): summary(100) for mode in MODES}
        return [check.met for check in pipeline_checks(summaries, "ours", "naive")]

    assert checks(120) == [True, True]
    assert checks(119) == [False, False]


def latency_checks(relay_cpu_s: float, latency_s: float) -> list[TargetCheck]:
    events = 1000
    exchanges = [Exchange(i / 100, i / 100, i / 100 + 0.01, 201, f"id-{i}") for i in range(events)]
    max_rate = LoadResult(4000, 4.0, 1000.0, 5.0, 8.0, 10.0, 5.0, 20.0, {})
    run = LatencyRun(max_rate, 500.0, exchanges, [latency_s] * events, 0, events, relay_cpu_s)
    result = ScenarioResult("event-latency", "P5")
    report_latency(result, run)
    return [check for check in result.checks if "relay CPU" in check.target]


def test_relay_cpu_per_event_is_at_most_150_us_while_the_latency_targets_hold() -> None:
    assert [check.met for check in latency_checks(0.150, 0.002)] == [True]
    assert [check.met for check in latency_checks(0.151, 0.002)] == [False]
    assert [check.met for check in latency_checks(0.100, 0.030)] == [False], "p99 over 25 ms fails it too"


def memory_check(rss_mb: float, requests: int = 100_000, replaced: bool = False) -> TargetCheck:
    workers = (11, 12)
    readings = [
        Reading(0, 0.0, dict.fromkeys(workers, 60 * 1024)),
        Reading(requests, 200.0, {11: 70 * 1024, 12: int(rss_mb * 1024)}),
    ]
    run = MemoryRun(workers, readings, [], (11, 13) if replaced else workers)
    result = ScenarioResult("worker-memory", "memory")
    report_memory(result, parse_options([], tuple(SCENARIOS), DEFAULT_SCENARIOS), run)
    [check] = result.checks
    return check


def test_every_worker_must_stay_within_100_mb_after_100k_requests() -> None:
    assert memory_check(100.0).met
    assert not memory_check(100.5).met
    assert not memory_check(80.0, requests=99_999).met, "the time limit came before the 100k requests"
    assert not memory_check(80.0, replaced=True).met, "a replaced worker starts small and hides a leak"


def test_the_default_run_includes_the_worker_memory_check() -> None:
    assert "worker-memory" in DEFAULT_SCENARIOS
