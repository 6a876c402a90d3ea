"""The local development signing secret: random, made on first use, never committed."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def load_or_create_dev_secret(path: Path) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: two processes starting together must not overwrite each other's secret.
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "w") as secret_file:
                secret_file.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
