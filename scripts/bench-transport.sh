#!/usr/bin/env bash
# Transport benchmark: our facegate-interop (release build) against grpc-go's interop-server,
# both on loopback, loaded by h2load (Debian nghttp2-client) at -c 1 -m 64 and -c 8 -m 8.
# Prints median calls/s, p50 and p99 for each server and the ratios ours/grpc-go.
#
#   bash scripts/bench-transport.sh [--json] [--reps 5] [--requests 50000] [--methods empty,unary]
#                                   [--grpc-go PATH] [--ours PATH]
#
# grpc-go's server: --grpc-go PATH or GO_INTEROP_SERVER (default /tmp/grpc-interop-bin/interop-server);
# build it with `bash scripts/build-go-interop.sh`. Without --ours, facegate-interop is built
# with `swift build -c release --product facegate-interop` first.
set -euo pipefail
cd "$(dirname "$0")/.."
args=("$@")
have_ours=0
for a in "$@"; do [ "$a" = "--ours" ] && have_ours=1; done
if [ $have_ours = 0 ]; then
  echo "# building facegate-interop (release)" >&2
  swift build -c release --product facegate-interop >&2
  args+=(--ours "$(swift build -c release --show-bin-path)/facegate-interop")
fi
exec python3 scripts/bench_transport.py "${args[@]}"
