"""`python -m bench`: run the benchmarks and publish the results (see docs/benchmarks.md)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from bench.options import parse_options
from bench.report import publish
from bench.run_lock import exclusive_run
from bench.runner import run_scenarios
from bench.scenarios import DEFAULT_SCENARIOS, SCENARIOS
from bench.wrk_tool import ensure_wrk


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv, tuple(SCENARIOS), DEFAULT_SCENARIOS)
    wrk = ensure_wrk()
    with exclusive_run():
        run = run_scenarios(options, wrk)
    for check in (check for result in run.results for check in result.checks):
        print(f"{'met ' if check.met else 'MISS'}  {check.target}: {check.measured}")
    for path in publish(run):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
