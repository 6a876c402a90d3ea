"""A virtualenv of requirements.txt and the consumer library alone: what the image installs.

Memory per worker depends on what is installed, not only on what the service imports: packages
that `make test` and `make bench` add (httpx2, rich, Pygments, click...) are imported by the
service's own dependencies when present. The worker-memory check runs the service from this
virtualenv, so that it measures the shipped install whatever else the harness's virtualenv holds.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.paths import PROJECT_ROOT, WORK_DIR

SHIPPED_VENV = WORK_DIR / "shipped-venv"
CONSUMER = PROJECT_ROOT / "consumer"
STAMP = ".inputs-sha256"


def shipped_python() -> Path:
    """The virtualenv's interpreter, built on first use and again when requirements.txt or the consumer changes."""
    python = SHIPPED_VENV / "bin" / "python"
    stamp = SHIPPED_VENV / STAMP
    digest = _digest()
    if python.exists() and stamp.exists() and stamp.read_text() == digest:
        return python
    print("  building the shipped install (requirements.txt and the consumer library) ...", flush=True)
    shutil.rmtree(SHIPPED_VENV, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(SHIPPED_VENV)], check=True)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    # The Dockerfile's two steps: the pinned requirements, then the consumer library without dependencies.
    subprocess.run([*pip, "--requirement", "requirements.txt"], cwd=PROJECT_ROOT, check=True)
    with tempfile.TemporaryDirectory() as scratch:  # a copy, as the Dockerfile's: no build/ left in the tree
        consumer = shutil.copytree(CONSUMER, Path(scratch) / "consumer")
        subprocess.run([*pip, "--no-deps", str(consumer)], cwd=PROJECT_ROOT, check=True)
    stamp.write_text(digest)
    return python


def _digest() -> str:
    """Of the interpreter and every input; the consumer is installed as a copy, so its code counts too."""
    inputs = [PROJECT_ROOT / "requirements.txt", CONSUMER / "pyproject.toml", *sorted(CONSUMER.glob("src/**/*.py"))]
    digest = hashlib.sha256(sys.version.encode())
    for path in inputs:
        digest.update(str(path.relative_to(PROJECT_ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
