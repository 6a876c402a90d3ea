#!/usr/bin/env bash
# Installs what the contract tests need besides Python, only when it is missing:
# Chromium (Debian packages) for the AsyncAPI page test, and the official AsyncAPI
# parser (npm, pinned by tests/contract/package-lock.json) for the document test.
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
    # --ignore-scripts: the parser needs no install step, and no package gets to run one.
    npm ci --prefix "$contract" --ignore-scripts --no-audit --no-fund --loglevel=error
    touch "$stamp"
fi
