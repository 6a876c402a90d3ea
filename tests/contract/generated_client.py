"""Generates a Python client from a live spec URL with openapi-python-client, and imports it."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

CONFIG = Path(__file__).resolve().parent / "openapi-python-client.yaml"
PACKAGE = "items_client"


def generate(spec_url: str, into: Path) -> subprocess.CompletedProcess[str]:
    """Run the generator (pinned in requirements-test.txt) on `spec_url`; the package lands in `into`."""
    generator = shutil.which("openapi-python-client", path=str(Path(sys.executable).parent))
    assert generator, "openapi-python-client is missing: pip install -r requirements-test.txt"
    command = [generator, "generate", "--url", spec_url, "--config", str(CONFIG), "--meta", "none"]
    return subprocess.run(
        [*command, "--output-path", str(into / PACKAGE)], capture_output=True, text=True, timeout=180, check=False
    )


@contextmanager
def imported(into: Path) -> Iterator[ModuleType]:
    """The generated package, importable only inside this block."""
    sys.path.insert(0, str(into))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(into))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(PACKAGE + ".")]:
            del sys.modules[name]
