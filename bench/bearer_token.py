"""A bearer token the service accepts, minted by its own dev-token command with a secret kept here."""

from __future__ import annotations

import functools
import os
import subprocess
import sys

from bench.paths import PROJECT_ROOT, WORK_DIR

SECRET_FILE = WORK_DIR / "jwt-dev-secret"
TOKEN_TTL_S = 24 * 3600


def jwt_environment() -> dict[str, str]:
    """Turns the service's JWT check on, verifying HS256 tokens signed with the bench secret."""
    return {
        "AUTH_ENABLED": "true",
        "AUTH_DEV_SECRET_FILE": str(SECRET_FILE),
        "AUTH_JWKS_URL": "",
        "AUTH_PUBLIC_KEY": "",
    }


@functools.cache
def bearer_headers() -> dict[str, str]:
    SECRET_FILE.parent.mkdir(parents=True, exist_ok=True)
    minted = subprocess.run(
        [sys.executable, "-m", "entrypoints.dev_token", "--ttl", str(TOKEN_TTL_S)],
        cwd=PROJECT_ROOT,
        env={**os.environ, **jwt_environment()},
        capture_output=True,
        text=True,
        check=False,
    )
    if minted.returncode != 0 or not minted.stdout.strip():
        raise RuntimeError(f"could not mint a bearer token: {minted.stderr.strip()[-500:]}")
    return {"Authorization": f"Bearer {minted.stdout.strip().splitlines()[-1]}"}
