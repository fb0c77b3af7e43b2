#!/usr/bin/env python3
"""Transport benchmark: our facegate-interop vs grpc-go's interop-server under h2load.

Run it through scripts/bench-transport.sh (which builds the release binary). Standard library
only. For every scenario (method x connection shape) it runs h2load against each server in turn,
REPS times, alternating the order, with a pre-encoded gRPC request body, and prints median
calls/s, p50 and p99 latency per server plus the ratios ours/grpc-go. With --json the last line
is one JSON object. Loopback only; every run is bounded by its request count.

h2load counts HTTP 2xx responses and cannot see grpc-status, so each server first answers one
call through `nghttp`, whose trailers must carry grpc-status 0. Percentiles come from h2load's
--log-file (one line per request: start us, HTTP status, duration us).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

PATHS = {"empty": "/grpc.testing.TestService/EmptyCall", "unary": "/grpc.testing.TestService/UnaryCall"}
SHAPES = [(1, 64), (8, 8)]  # (connections, concurrent streams per connection)


def varint(v: int) -> bytes:
    out = bytearray()
    while True:
        b, v = v & 0x7F, v >> 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def request_body(method: str, size: int) -> bytes:
    """One length-prefixed gRPC message: Empty, or SimpleRequest{response_size, payload{body}}."""
    if method == "empty":
        msg = b""
    else:
        payload = b"\x12" + varint(size) + b"\0" * size            # Payload.body = 2
        msg = b"\x10" + varint(size) + b"\x1a" + varint(len(payload)) + payload  # response_size = 2, payload = 3
    return b"\0" + len(msg).to_bytes(4, "big") + msg


class Server:
    """A server process on 127.0.0.1: ours prints `listening on HOST:PORT` for --port 0; grpc-go's
    interop-server gets a free port chosen here."""

    def __init__(self, name: str, path: str) -> None:
        self.name, self.path = name, path
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.err = tempfile.TemporaryFile()

    def start(self) -> "Server":
        if os.path.basename(self.path) == "interop-server":  # grpc-go
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                self.port = s.getsockname()[1]
            self.proc = subprocess.Popen([self.path, "--host=127.0.0.1", f"--port={self.port}"],
                                         stdout=subprocess.DEVNULL, stderr=self.err)
        else:
            self.proc = subprocess.Popen([self.path, "--host", "127.0.0.1", "--port", "0"],
                                         stdout=subprocess.PIPE, stderr=self.err, text=True)
            assert self.proc.stdout
            line = self.proc.stdout.readline()
            m = re.search(r"listening on [^ ]*:(\d+)", line)
            if not m:
                self.stop()
                raise SystemExit(f"{self.name}: expected 'listening on HOST:PORT', got {line!r}")
            self.port = int(m.group(1))
        end = time.monotonic() + 30
        while time.monotonic() < end:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.05)
        self.stop()
        raise SystemExit(f"{self.name} ({self.path}) is not accepting connections")

    def url(self, method: str) -> str:
        return f"http://127.0.0.1:{self.port}{PATHS[method]}"

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


HEADERS = ["-H", "content-type: application/grpc", "-H", "te: trailers"]


def sanity_check(server: Server, method: str, body_file: str) -> None:
    out = subprocess.run(["nghttp", "-v", "-d", body_file, *HEADERS, server.url(method)],
                         capture_output=True, timeout=30).stdout.decode("utf-8", "replace")
    if "grpc-status: 0" not in out:
        raise SystemExit(f"{server.name}: one {method} call did not end with grpc-status 0:\n"
                         + "\n".join(l for l in out.splitlines() if "recv" in l or "status" in l)[:2000])


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    i = min(len(sorted_values) - 1, max(0, int(round(q * (len(sorted_values) - 1)))))
    return sorted_values[i]


def h2load_run(server: Server, method: str, body_file: str, n: int, c: int, m: int) -> dict:
    """One bounded h2load run; returns calls/s, p50/p99 ms and the request counts."""
    with tempfile.NamedTemporaryFile(suffix=".log") as log:
        res = subprocess.run(["h2load", "-n", str(n), "-c", str(c), "-m", str(m), "-t", "1",
                              "-d", body_file, *HEADERS, "--log-file", log.name, server.url(method)],
                             capture_output=True, text=True, timeout=600)
        if res.returncode != 0:
            raise SystemExit(f"h2load failed against {server.name}: {res.stderr or res.stdout}")
        rate = re.search(r"finished in [0-9.]+\w+, ([0-9.]+) req/s", res.stdout)
        counts = re.search(r"requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed",
                           res.stdout)
        codes = re.search(r"status codes: (\d+) 2xx", res.stdout)
        if not (rate and counts and codes):
            raise SystemExit(f"cannot parse h2load output:\n{res.stdout}")
        durations = []
        with open(log.name) as f:
            for line in f:
                cols = line.split("\t")
                if len(cols) >= 3 and cols[1] == "200":
                    durations.append(int(cols[2]) / 1000.0)
        durations.sort()
    succeeded, failed = int(counts.group(3)), int(counts.group(4))
    return {"calls_per_s": float(rate.group(1)), "p50_ms": percentile(durations, 0.50),
            "p99_ms": percentile(durations, 0.99), "succeeded": succeeded, "failed": failed,
            "http_2xx": int(codes.group(1))}


def summarize(runs: list[dict]) -> dict:
    return {"calls_per_s": statistics.median(r["calls_per_s"] for r in runs),
            "p50_ms": statistics.median(r["p50_ms"] for r in runs),
            "p99_ms": statistics.median(r["p99_ms"] for r in runs),
            "calls_per_s_min": min(r["calls_per_s"] for r in runs),
            "calls_per_s_max": max(r["calls_per_s"] for r in runs),
            "failed": sum(r["failed"] for r in runs), "runs": runs}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ours", required=True, help="path of our facegate-interop (release build)")
    ap.add_argument("--grpc-go", default=os.environ.get("GO_INTEROP_SERVER", "/tmp/grpc-interop-bin/interop-server"),
                    help="grpc-go's interop-server (env GO_INTEROP_SERVER; default %(default)s)")
    ap.add_argument("--requests", type=int, default=50000, help="requests per h2load run (default %(default)s)")
    ap.add_argument("--reps", type=int, default=5, help="repetitions per server and scenario (default %(default)s)")
    ap.add_argument("--methods", default="empty,unary", help="comma list of empty,unary (default %(default)s)")
    ap.add_argument("--size", type=int, default=100, help="UnaryCall request/response payload bytes (default %(default)s)")
    ap.add_argument("--json", action="store_true", help="print one JSON object on the last line")
    args = ap.parse_args()

    for tool in ("h2load", "nghttp"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} missing: apt-get install nghttp2-client")
    if not os.access(args.grpc_go, os.X_OK):
        raise SystemExit(f"grpc-go interop-server not found at {args.grpc_go}.\n"
                         "Build it from Debian packages (about a minute): bash scripts/build-go-interop.sh\n"
                         "or pass --grpc-go PATH / set GO_INTEROP_SERVER.")
    methods = [m for m in args.methods.split(",") if m]
    for m in methods:
        if m not in PATHS:
            raise SystemExit(f"unknown method {m!r} (empty, unary)")

    tmp = tempfile.mkdtemp(prefix="bench-transport-")
    servers = [Server("facegate", args.ours), Server("grpc-go", args.grpc_go)]
    scenarios = []
    try:
        for s in servers:
            s.start()
        print(f"# bench transport: h2load -t 1, {args.requests} requests per run, {args.reps} runs per "
              f"server and scenario, alternating; loopback; {os.cpu_count()} CPUs")
        for method in methods:
            body_file = os.path.join(tmp, f"{method}.grpc")
            with open(body_file, "wb") as f:
                f.write(request_body(method, args.size))
            for s in servers:
                sanity_check(s, method, body_file)
                h2load_run(s, method, body_file, min(5000, args.requests), 4, 16)  # warm-up
            for c, m in SHAPES:
                runs: dict[str, list[dict]] = {s.name: [] for s in servers}
                for rep in range(args.reps):
                    order = servers if rep % 2 == 0 else list(reversed(servers))
                    for s in order:
                        runs[s.name].append(h2load_run(s, method, body_file, args.requests, c, m))
                ours, ref = summarize(runs["facegate"]), summarize(runs["grpc-go"])
                scenarios.append({
                    "method": method, "connections": c, "streams_per_connection": m,
                    "payload_bytes": args.size if method == "unary" else 0,
                    "facegate": ours, "grpc_go": ref,
                    "ratio_calls_per_s": ours["calls_per_s"] / ref["calls_per_s"],
                    "ratio_p99": ours["p99_ms"] / ref["p99_ms"] if ref["p99_ms"] else None,
                    # runs i of both servers are adjacent in time: their ratio cancels slow load drift
                    "ratio_calls_per_s_paired_median": statistics.median(
                        a["calls_per_s"] / b["calls_per_s"] for a, b in zip(runs["facegate"], runs["grpc-go"])),
                })
                label = f"{method} -c {c} -m {m}"
                for name, sm in (("facegate", ours), ("grpc-go", ref)):
                    print(f"{label:<20} {name:<9} {sm['calls_per_s']:>8.0f} calls/s "
                          f"({sm['calls_per_s_min']:.0f}-{sm['calls_per_s_max']:.0f})   p50 {sm['p50_ms']:6.2f} ms"
                          f"   p99 {sm['p99_ms']:6.2f} ms   failed {sm['failed']}")
                sc = scenarios[-1]
                print(f"{label:<20} ours/grpc-go: calls/s {sc['ratio_calls_per_s']:.2f}x (median of paired runs "
                      f"{sc['ratio_calls_per_s_paired_median']:.2f}x), p99 {sc['ratio_p99']:.2f}x  (medians of {args.reps})")
    finally:
        for s in servers:
            s.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        compact = [{k: ({kk: vv for kk, vv in v.items() if kk != "runs"} if isinstance(v, dict) else v)
                    for k, v in sc.items()} for sc in scenarios]
        print(json.dumps({"bench": "transport", "requests_per_run": args.requests, "reps": args.reps,
                          "scenarios": compact}))
    return 1 if any(sc["facegate"]["failed"] or sc["grpc_go"]["failed"] for sc in scenarios) else 0


if __name__ == "__main__":
    sys.exit(main())
