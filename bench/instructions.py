"""Instructions per POST of the service, counted by valgrind's callgrind: a figure a busy machine does not move.

`python -m bench.instructions [--posts 200] [--postgres-url URL]` drives the service's ASGI app in
process (no HTTP server, no token check, no access log) with `POST /v1/items` against PostgreSQL,
under `valgrind --tool=callgrind`, twice: with 50 POSTs after a warm-up of 20, and with 50 plus
`--posts`. The difference over `--posts` is the instructions one POST costs, start-up excluded;
with `PYTHONHASHSEED=0`, runs of the same build agree within about 0.2 %. Timings of the same
code on a shared machine differ by a quarter from one run to the next; compare builds with this
instead (run it in each checkout). Needs valgrind (`apt-get install valgrind`); about 2 minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import time
from typing import Any

from sqlalchemy.engine import make_url

from bench.database import BenchDatabase
from bench.options import DEFAULT_POSTGRES_URL
from bench.paths import PROJECT_ROOT, WORK_DIR

BASELINE_POSTS = 50
WARMUP_POSTS = 20
_COLLECTED = re.compile(r"Collected : (\d+)")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.instructions", description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=200, help="POSTs counted beyond the baseline run's")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL.rsplit("/", 1)[0] + "/items_bench_instructions")
    parser.add_argument("--drive", type=int, help=argparse.SUPPRESS)  # the process valgrind runs
    args = parser.parse_args()
    if args.drive is not None:
        asyncio.run(_drive(args.postgres_url, args.drive))
        return
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed: `apt-get install valgrind`, then re-run.")
    database = BenchDatabase(make_url(args.postgres_url).render_as_string(hide_password=False))
    database.prepare()
    database.reset(100)
    database.dispose()
    baseline = _instructions(args.postgres_url, BASELINE_POSTS)
    counted = _instructions(args.postgres_url, BASELINE_POSTS + args.posts)
    print(json.dumps({"posts": args.posts, "instructions_per_post": round((counted - baseline) / args.posts)}))


def _instructions(postgres_url: str, posts: int) -> int:
    """callgrind's total instruction count for one driver process of `posts` POSTs."""
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    command = [
        "valgrind", "--tool=callgrind", "--cache-sim=no", f"--callgrind-out-file={WORK_DIR / 'callgrind.out'}",
        sys.executable, "-m", "bench.instructions", "--postgres-url", postgres_url, "--drive", str(posts),
    ]  # fmt: skip
    environment = {**os.environ, "PYTHONHASHSEED": "0", "AUTH_ENABLED": "false", "ACCESS_LOG": "false"}
    run = subprocess.run(command, cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True, check=False)
    found = _COLLECTED.search(run.stderr)
    if run.returncode != 0 or found is None:
        raise SystemExit(f"the driver under valgrind failed (exit {run.returncode}):\n{run.stderr[-2000:]}")
    return int(found.group(1))


async def _drive(postgres_url: str, posts: int) -> None:
    os.environ["DATABASE_URL"] = postgres_url
    from app import create_app  # after DATABASE_URL: the app reads its settings from the environment

    app = create_app()
    prefix = f"INSTR-{os.getpid()}-{time.time_ns()}"
    for number in range(WARMUP_POSTS + posts):
        status = await _post(app, json.dumps(_item(f"{prefix}-{number}", number)).encode())
        if status != 201:
            raise SystemExit(f"POST /v1/items answered {status}")


def _item(sku: str, number: int) -> dict[str, Any]:
    """The body `bench/lua/common.lua` sends under load."""
    price = {"amount_minor": 100 + number % 9900, "currency": "EUR"}
    return {"sku": sku, "name": f"Bench item {number}", "description": "Created under load", "price": price,
            "quantity": number % 50, "tags": ["bench", "load"]}  # fmt: skip


async def _post(app: Any, body: bytes) -> int:
    headers = [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/v1/items", "raw_path": b"/v1/items", "query_string": b"", "root_path": "", "headers": headers,
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}  # fmt: skip
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return messages.pop() if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    await app(scope, receive, send)
    return statuses[0]


if __name__ == "__main__":
    main()
