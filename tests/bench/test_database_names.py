"""Every benchmark database is named after `--postgres-url`'s, so runs given different ones never meet."""

from __future__ import annotations

from bench.database import database_url
from bench.options import parse_options
from bench.scenarios import DEFAULT_SCENARIOS, SCENARIOS


def test_each_database_is_the_given_one_or_named_after_it() -> None:
    url = "postgresql+psycopg://postgres@127.0.0.1:5432/items_bench_other"
    options = parse_options(["--postgres-url", url], tuple(SCENARIOS), DEFAULT_SCENARIOS)
    assert database_url("postgres", options) == url
    assert database_url("postgres", options, "events").endswith("/items_bench_other_events")
    assert database_url("sqlite", options, "events").endswith("/items_bench_other_events.sqlite3")
