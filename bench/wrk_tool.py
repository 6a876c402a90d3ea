"""Finds wrk, installing it with apt-get when it is missing."""

from __future__ import annotations

import os
import shutil
import subprocess


class WrkUnavailable(SystemExit):
    """wrk is missing and could not be installed; the message says how to get it."""


def ensure_wrk() -> str:
    """The path of the wrk binary, after installing the Debian package if needed."""
    found = shutil.which("wrk")
    if found:
        return found
    if shutil.which("apt-get") is None:
        raise WrkUnavailable("wrk is not installed and apt-get is not available: install wrk, then re-run.")
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    print("wrk is not installed; installing the Debian package with apt-get ...", flush=True)
    attempt = _apt(prefix, "install", "-y", "wrk")
    if attempt.returncode != 0:
        _apt(prefix, "update")
        attempt = _apt(prefix, "install", "-y", "wrk")
    found = shutil.which("wrk")
    if attempt.returncode != 0 or not found:
        detail = (attempt.stderr or attempt.stdout).strip().splitlines()[-3:]
        reason = " | ".join(detail) or "no output"
        raise WrkUnavailable(
            f"could not install wrk with apt-get (exit {attempt.returncode}): {reason}\n"
            "Install it by hand (`apt-get install wrk`) and re-run."
        )
    return found


def _apt(prefix: list[str], *arguments: str) -> subprocess.CompletedProcess[str]:
    command = [*prefix, "apt-get", *arguments]
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=600, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return subprocess.CompletedProcess(command, 1, "", str(exc))
