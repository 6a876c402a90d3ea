#!/usr/bin/env bash
# Installs what the contract tests need besides Python, only when it is missing:
# Chromium (Debian packages) for the AsyncAPI page and Swagger UI tests, and the linters of
# the contracts (npm, pinned by tests/contract/package-lock.json): the official AsyncAPI
# parser and Spectral for the OpenAPI document.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        chromium chromium-driver fonts-dejavu-core >/dev/null
fi

contract=tests/contract
stamp=$contract/node_modules/.installed-from-lock
if [ ! -f "$stamp" ] || [ "$contract/package-lock.json" -nt "$stamp" ]; then
    # --ignore-scripts: the linters need no install step, and no package gets to run one.
    npm ci --prefix "$contract" --ignore-scripts --no-audit --no-fund --loglevel=error
    touch "$stamp"
fi
