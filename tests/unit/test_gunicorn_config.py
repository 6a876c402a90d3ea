"""What gunicorn.conf.py sets in the master, and so in every worker it forks, before the app is imported."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from settings import PROJECT_ROOT

STARLETTE_WARNING = "Using `httpx` with `starlette.testclient` is deprecated"


def _stderr_of_importing_connexion(tmp_path: Path, *, after_config: bool) -> str:
    script = "import sys\nsys.modules['httpx2'] = None\n"  # as in the image: requirements.txt alone has no httpx2
    if after_config:
        script += "import runpy\nrunpy.run_path('gunicorn.conf.py')\n"
    script += "import connexion\n"
    environ = {name: value for name, value in os.environ.items() if not name.startswith(("OTEL_", "PYTHONWARNINGS"))}
    environ |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'items.db'}",
        "AUTH_DEV_SECRET_FILE": str(tmp_path / "secret"),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
    }
    ran = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, env=environ, capture_output=True, text=True, timeout=60,
        check=True,
    )  # fmt: skip
    return ran.stderr


def test_workers_print_no_starlette_test_client_warning_outside_the_json_logs(tmp_path: Path) -> None:
    assert STARLETTE_WARNING in _stderr_of_importing_connexion(tmp_path, after_config=False)  # what it filters
    assert STARLETTE_WARNING not in _stderr_of_importing_connexion(tmp_path, after_config=True)
