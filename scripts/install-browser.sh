#!/usr/bin/env bash
# Installs Debian's headless Chromium and ChromeDriver for the `newsdex serve` browser
# tests (tests/cli/serve/browser.rs), unless both are already there. Needs root (or
# sudo) for apt-get; without either it stops with a message, and the browser tests
# would fail saying what is missing.
set -euo pipefail
if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then
    exit 0
fi
if [[ "$(id -u)" == 0 ]]; then
    as_root=()
elif command -v sudo >/dev/null; then
    as_root=(sudo)
else
    echo "install-browser: need root to apt-get install chromium chromium-driver" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq chromium chromium-driver >/dev/null
echo "install-browser: $(/usr/bin/chromium --version 2>/dev/null), $(/usr/bin/chromedriver --version | head -1)"
