"""Where the service's workers spend CPU under GET and POST load, sampled with py-spy."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
from dataclasses import asdict
from pathlib import Path

from bench.contenders import ours, server_environment
from bench.database import BenchDatabase, database_url
from bench.load import LoadPlan, run_wrk
from bench.paths import PROJECT_ROOT, WORK_DIR
from bench.profile_summary import summarise_collapsed
from bench.scenarios.base import BenchContext, ScenarioResult, Table
from bench.scenarios.item_endpoints import ENDPOINTS, Endpoint
from bench.servers import RunningServer, serving


class ProfileScenario:
    """Not part of the default run: `--scenarios profile`; needs py-spy (requirements-bench.txt)."""

    name = "profile"

    def run(self, context: BenchContext) -> ScenarioResult:
        options = context.options
        result = ScenarioResult(self.name, "Profile of the service under load (py-spy)")
        result.method = [
            "`py-spy record --subprocesses --gil --nonblocking` on the service's gunicorn master (2 workers) during "
            f"{options.duration_s} s of keep-alive wrk load per endpoint, {options.connections} connections, "
            "PostgreSQL.",
            "Shares are of the samples of threads holding the GIL (the Python CPU time) in both workers: "
            "by the innermost frame's package or function, and for the service's own functions, "
            "the samples with them anywhere on the stack.",
        ]
        database = BenchDatabase(database_url("postgres", options))
        ids_file = WORK_DIR / "item_ids.txt"
        try:
            database.prepare()
            database.reset(options.seed_rows)
            ids_file.write_text("\n".join(database.item_ids()) + "\n")
            with serving(
                ours(), options.base_port, server_environment(database.url, options), options.workers
            ) as server:
                for endpoint in ENDPOINTS:
                    _profile(context, server, endpoint, ids_file, result)
        finally:
            database.dispose()
        return result


def _profile(
    context: BenchContext, server: RunningServer, endpoint: Endpoint, ids_file: Path, result: ScenarioResult
) -> None:
    options = context.options

    def plan(duration_s: int, prefix: str) -> LoadPlan:
        lua_options = {"ids_file": str(ids_file), "sku_prefix": prefix, "seed": "1"}
        return LoadPlan(endpoint.script, "/", duration_s, options.connections, options.threads, options=lua_options)

    run_wrk(context.wrk, server.base_url, plan(options.warmup_s, f"WARM{endpoint.key.upper()}"))
    output = WORK_DIR / f"profile-{endpoint.key}.txt"
    output.unlink(missing_ok=True)
    recorder = threading.Thread(target=_record, args=(server.pid, options.duration_s, output))
    recorder.start()
    # The load outlasts the recording by a second, so every sample is taken under load.
    measured = run_wrk(context.wrk, server.base_url, plan(options.duration_s + 1, f"PROFILE{endpoint.key.upper()}"))
    recorder.join()
    summary = summarise_collapsed(output.read_text() if output.exists() else "", str(PROJECT_ROOT))
    for heading, shares in (
        ("innermost frame, by package", summary.self_by_package),
        ("innermost frame, by function", summary.self_by_function),
        ("service code on the stack", summary.service_inclusive),
    ):
        rows = tuple((f"{share:.1f}", label) for label, share in shares)
        result.tables.append(Table((f"{endpoint.label}: %", heading), rows))
    result.notes.append(
        f"{endpoint.label}: {measured.requests_per_s:,.0f} req/s while profiled, {summary.samples} samples."
    )
    result.data[endpoint.key] = asdict(summary)


def _record(pid: int, duration_s: int, output: Path) -> None:
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(py_spy).exists():
        raise RuntimeError("py-spy is not installed: pip install -r requirements-bench.txt")
    command = [py_spy, "record", "--format=raw", f"--output={output}", "--rate=200", f"--duration={duration_s}"]
    subprocess.run(
        [*command, "--subprocesses", "--gil", "--nonblocking", "--full-filenames", f"--pid={pid}"],
        capture_output=True,
        check=False,
    )
