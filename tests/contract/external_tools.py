"""Node's AsyncAPI parser, Spectral and headless Chromium, which `scripts/ensure-test-tools.sh` installs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.servers import unavailable

CONTRACT_DIR = Path(__file__).resolve().parent
PARSE_SCRIPT = CONTRACT_DIR / "asyncapi_parse.mjs"
SPECTRAL = CONTRACT_DIR / "node_modules" / ".bin" / "spectral"
SPECTRAL_RULESET = CONTRACT_DIR / "openapi.spectral.yaml"
INSTALL_HINT = "run scripts/ensure-test-tools.sh"
# No first-run work, no background traffic, no profile but a fresh one: the page must render offline.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Any host name fails to resolve, as it would without internet access; loopback IPs still work.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
)


def parse_asyncapi(path: Path) -> subprocess.CompletedProcess[str]:
    """Run the official parser on `path`; its exit status is 0 only for a valid document."""
    node = shutil.which("node")
    if node is None or not (CONTRACT_DIR / "node_modules" / "@asyncapi" / "parser").is_dir():
        unavailable("The AsyncAPI parser (node and tests/contract/node_modules)", INSTALL_HINT)
    return subprocess.run(
        [str(node), str(PARSE_SCRIPT), str(path)], capture_output=True, text=True, timeout=120, check=False
    )


def spectral(*documents: Path) -> subprocess.CompletedProcess[str]:
    """Lint OpenAPI documents with Spectral and our ruleset; stdout is a JSON list of every finding, hints too."""
    if shutil.which("node") is None or not SPECTRAL.exists():
        unavailable("Spectral (node and tests/contract/node_modules)", INSTALL_HINT)
    command = [str(SPECTRAL), "lint", "--ruleset", str(SPECTRAL_RULESET), "--format", "json", "--quiet"]
    return subprocess.run([*command, *map(str, documents)], capture_output=True, text=True, timeout=120, check=False)


def chromium(profile: Path, url: str, *action: str, budget_ms: int = 20000) -> subprocess.CompletedProcess[str]:
    """Load `url` in headless Chromium, let its scripts run for `budget_ms` of virtual time, then act."""
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        unavailable("Chromium", INSTALL_HINT)
    command = [str(binary), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--virtual-time-budget={budget_ms}"]
    return subprocess.run([*command, *action, url], capture_output=True, text=True, timeout=120, check=False)
