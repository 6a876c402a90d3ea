"""`make run`: starts the API under gunicorn, the event relay and the example consumer, and stops them together."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from types import FrameType

from settings import load_settings

PROCESSES = {
    "api": [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"],
    "relay": [sys.executable, "-m", "entrypoints.relay"],
    "catalog": [sys.executable, "-m", "examples.catalog_projection", "run"],
}


def main() -> int:
    settings = load_settings()
    children = {name: subprocess.Popen(command) for name, command in PROCESSES.items()}  # noqa: S603 - fixed argv
    print(f"items service on http://{settings.host}:{settings.port}/ui", flush=True)
    stopping = False

    def stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stopping and all(child.poll() is None for child in children.values()):
        time.sleep(0.2)
    for child in children.values():
        if child.poll() is None:
            child.terminate()
    code = 0
    for name, child in children.items():
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
        if child.returncode not in (0, -signal.SIGTERM) and not stopping:
            print(f"{name} exited with {child.returncode}", file=sys.stderr)
            code = 1
    return code


if __name__ == "__main__":
    sys.exit(main())
