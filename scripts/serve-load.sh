#!/usr/bin/env bash
# Load benchmark for `newsdex serve` (documented in the README; not a test).
#
#   scripts/serve-load.sh INDEX_DIR [DURATION=20s] [CONNECTIONS=64]
#
# Starts target/release/newsdex serve on a free loopback port (request log to a file,
# as in production; QUIET=1 passes --quiet, NO_CACHE=1 --no-response-cache), warms it up, then runs wrk (Debian's
# package) with scripts/serve-load.lua's fixed query mix, and prints requests/s,
# latency percentiles, errors and the server's resident memory over the run.
set -euo pipefail
cd "$(dirname "$0")/.."
index=${1:?usage: scripts/serve-load.sh INDEX_DIR [DURATION] [CONNECTIONS]}
duration=${2:-20s}
connections=${3:-64}
bin=${NEWSDEX_BIN:-target/release/newsdex}
command -v wrk >/dev/null || { echo "serve-load: needs wrk (apt-get install -y wrk)" >&2; exit 1; }
[[ -x $bin ]] || { echo "serve-load: build $bin first (cargo build --release)" >&2; exit 1; }

work=$(mktemp -d)
quiet=()
[[ ${QUIET:-0} == 1 ]] && quiet=(--quiet)
[[ ${NO_CACHE:-0} == 1 ]] && quiet+=(--no-response-cache)
"$bin" serve --index "$index" --addr 127.0.0.1:0 "${quiet[@]}" 2>"$work/server.log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do
    base=$(sed -n 's|.* on \(http://[^/]*\)/.*|\1|p' "$work/server.log" | head -1)
    [[ -n $base ]] && break
    sleep 0.1
done
[[ -n ${base:-} ]] || { cat "$work/server.log" >&2; exit 1; }
curl -fsS "$base/healthz" >/dev/null

# The article the mix reads: the file of the first hit for "trump".
article=$(curl -fsS "$base/api/search?q=trump&limit=1" |
    python3 -c 'import json,sys,urllib.parse; print(urllib.parse.quote(json.load(sys.stdin)["hits"][0]["path"], safe=""))')
export ARTICLE_PATH=$article

rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
echo "server pid $pid at $base, index $index; RSS at start $(rss) kB"
wrk -t2 -c8 -d5s -s scripts/serve-load.lua "$base" >/dev/null
echo "RSS after warm-up $(rss) kB"
( while kill -0 $pid 2>/dev/null; do rss; sleep 1; done ) >"$work/rss" &
sampler=$!
echo "wrk -t2 -c$connections -d$duration --latency -s scripts/serve-load.lua $base"
wrk -t2 -c"$connections" -d"$duration" --latency -s scripts/serve-load.lua "$base"
kill $sampler
sort -n "$work/rss" | awk 'NR == 1 {min = $1} {max = $1} END {printf "RSS during the run: min %d kB, max %d kB\n", min, max}'
echo "RSS after the run $(rss) kB; request log lines: $(grep -c ' ms$\|ms$' "$work/server.log" || true)"
