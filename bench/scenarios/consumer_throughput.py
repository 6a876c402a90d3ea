"""P6: the consumer runner's throughput, next to plain pika consuming with manual acks."""

from __future__ import annotations

from bench.json_command import run_json_module
from bench.scenarios.base import BenchContext, Chart, ScenarioResult, Table, TargetCheck

PHASES = (
    ("raw", "plain pika, one `basic_ack` per message"),
    ("runner", "ConsumerRunner: decode, projection insert and dedupe row, one commit and `multiple` ack per batch"),
    ("single", "ConsumerRunner with `max_batch=1` (a transaction per message)"),
)


class ConsumerThroughputScenario:
    """Runs `python -m bench.consumer_throughput` (SQLite projection, the example's default) in its own process."""

    name = "consumer-throughput"

    def run(self, context: BenchContext) -> ScenarioResult:
        options = context.options
        figures = run_json_module(
            "bench.consumer_throughput",
            [f"--events={options.consumer_events}", f"--rounds={options.consumer_rounds}"],
            {"AMQP_URL": options.amqp_url},
        )
        result = ScenarioResult(self.name, "P6: consumer throughput")
        result.method = [
            f"`python -m bench.consumer_throughput`: a {figures['queue_type']} queue is pre-filled with "
            f"{figures['events']:,} encoded ItemCreated events (body {figures['body_bytes']} bytes) before each phase; "
            f"prefetch {figures['prefetch']}, batches of up to {figures['max_batch']}; the consumer's database is "
            f"{figures['database']}. {options.consumer_rounds} rounds, the phase order alternating; medians.",
        ]
        rows = tuple((key, label, f"{figures[f'median_{key}_per_s']:,}") for key, label in PHASES)
        result.tables.append(Table(("Phase", "What", "events/s (median)"), rows))
        result.charts.append(
            Chart("P6: events/s consumed (median)", "events/s", ("median",),
                  {key: (float(figures[f"median_{key}_per_s"]),) for key, _ in PHASES})
        )  # fmt: skip
        ratio = float(figures["runner_vs_raw"])
        result.checks.append(
            TargetCheck(f"P6 consumer runner {figures['target']} ({figures['database']})", f"{ratio:.2f}x",
                        bool(figures["met"]))
        )  # fmt: skip
        result.data = figures
        return result
