"""P4: how fast the relay drains a full outbox, next to plain pika publishing the same messages."""

from __future__ import annotations

from typing import Any

from bench.database import database_url
from bench.json_command import run_json_module
from bench.scenarios.base import BenchContext, Chart, ScenarioResult, Table, TargetCheck

TARGET_RATIO = 0.7
PHASES = (
    ("raw", "pika, pipelined", "plain pika, pipelined confirms (SelectConnection)"),
    ("drain", "the relay", "the relay, until every row is marked published"),
    ("blocking", "pika, one by one", "plain pika, one confirm awaited per message (BlockingConnection)"),
)
"""(key in the module's JSON, chart label, description)."""


class RelayDrainScenario:
    """Runs `python -m bench.relay_drain` in its own process and reports its medians."""

    name = "relay-drain"

    def run(self, context: BenchContext) -> ScenarioResult:
        options = context.options
        figures = run_json_module(
            "bench.relay_drain",
            [
                f"--rows={options.drain_rows}",
                f"--rounds={options.drain_rounds}",
                f"--postgres-url={database_url('postgres', options, 'relay')}",
            ],
            {"AMQP_URL": options.amqp_url},
        )
        result = ScenarioResult(self.name, "P4: relay drain throughput (PostgreSQL)")
        result.method = [
            f"`python -m bench.relay_drain`: an outbox of {figures['rows']:,} ItemCreated rows (body "
            f"{figures['body_bytes']} bytes, headers {figures['header_bytes']} bytes) is reset to pending before each "
            f"phase; {options.drain_rounds} rounds, the phase order alternating. Window {figures['max_in_flight']} "
            f"unconfirmed, reads of {figures['batch_size']} rows; a durable queue is bound to the exchange.",
            "The relay runs on a thread of that process, so its CPU per message (process CPU time over messages) "
            "compares directly with plain pika's. The ratio is the median of the per-round drain/raw ratios.",
        ]
        result.tables.append(_table(figures))
        result.charts.append(
            Chart("P4: messages/s published with confirms", "messages/s", ("median",),
                  {label: (float(figures[f"median_{key}_per_s"]),) for key, label, _ in PHASES})
        )  # fmt: skip
        ratio = float(figures["drain_vs_raw"])
        result.checks.append(
            TargetCheck(f"P4 relay drain ≥ {TARGET_RATIO}x plain pika's pipelined publish rate", f"{ratio:.2f}x",
                        ratio >= TARGET_RATIO)
        )  # fmt: skip
        result.data = figures
        return result


def _table(figures: dict[str, Any]) -> Table:
    rows = tuple(
        (key, label, f"{figures[f'median_{key}_per_s']:,}", str(figures[f"median_{key}_cpu_us"]))
        for key, _, label in PHASES
    )
    return Table(("Phase", "What", "messages/s (median)", "CPU µs/message"), rows)
