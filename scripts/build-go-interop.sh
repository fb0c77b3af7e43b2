#!/usr/bin/env bash
# Builds grpc-go's interop client and server (the reference peers of Tests/e2e and of
# scripts/bench-transport.sh) from Debian 12 packages only, offline after apt.
#
#   bash scripts/build-go-interop.sh [OUT_DIR]      (default /tmp/grpc-interop-bin)
#
# Debian's golang-google-grpc-dev (grpc-go 1.33) leaves out interop/, so the interop sources come
# from the matching Debian *source* package, fetched with a throw-away apt state (the system's
# apt configuration is not changed). test.pb.go is regenerated with Debian's protoc-gen-go 1.3 to
# match Debian's golang protobuf 1.3, and the server gets a --host flag (default 127.0.0.1) so it
# never listens beyond loopback. Re-running with the binaries present does nothing (FORCE=1 rebuilds).
set -euo pipefail
OUT=${1:-/tmp/grpc-interop-bin}
if [ -z "${FORCE:-}" ] && [ -x "$OUT/interop-client" ] && [ -x "$OUT/interop-server" ]; then
  echo "build-go-interop: $OUT already has interop-client and interop-server"; exit 0
fi
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
need=()
for p in golang-go golang-google-grpc-dev protoc-gen-go-1-3 protobuf-compiler grpc-proto xz-utils; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "build-go-interop: apt-get install ${need[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

DEBVER=$(dpkg-query -W -f='${Version}' golang-google-grpc-dev)   # e.g. 1.33.3-2
UPVER=${DEBVER%-*}; UPVER=${UPVER#*:}
SCRATCH=$(mktemp -d /tmp/facegate-go-interop.XXXXXX)
trap 'rm -rf "$SCRATCH"' EXIT

echo "build-go-interop: source package golang-google-grpc $DEBVER"
APTDIR=$SCRATCH/apt
mkdir -p "$APTDIR/sources" "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial"
printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
  > "$APTDIR/sources/src.sources"
APTOPTS=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$APTDIR/sources"
         -o "Dir::State::Lists=$APTDIR/lists" -o "Dir::Cache=$APTDIR/cache" -o "APT::Sandbox::User=root")
apt-get "${APTOPTS[@]}" update -qq
mkdir -p "$SCRATCH/dl"
( cd "$SCRATCH/dl" && apt-get "${APTOPTS[@]}" source --download-only -qq "golang-google-grpc=$DEBVER" )
tar -C "$SCRATCH/dl" -xf "$SCRATCH/dl/golang-google-grpc_${UPVER}.orig.tar.xz"
UPSTREAM=$SCRATCH/dl/golang-google-grpc-$UPVER

# GOPATH overlay: Debian's installed grpc tree + the interop/ directory of the same release.
GRPC=$SCRATCH/gopath/src/google.golang.org/grpc
mkdir -p "$(dirname "$GRPC")"
cp -a /usr/share/gocode/src/google.golang.org/grpc "$GRPC"
cp -a "$UPSTREAM/interop" "$GRPC/interop"
protoc -I"$GRPC/interop/grpc_testing" --go_out="$SCRATCH" "$GRPC/interop/grpc_testing/test.proto"
cp "$SCRATCH/google.golang.org/grpc/interop/grpc_testing/test.pb.go" "$GRPC/interop/grpc_testing/test.pb.go"

# Loopback by default: a --host flag for the server's listener.
SERVER_GO=$GRPC/interop/server/server.go
grep -q 'net.Listen("tcp", ":"+p)' "$SERVER_GO" || { echo "unexpected server.go: no ':'+p listener" >&2; exit 1; }
sed -i 's|net.Listen("tcp", ":"+p)|net.Listen("tcp", net.JoinHostPort(*listenHost, p))|' "$SERVER_GO"
cat > "$GRPC/interop/server/listen_host.go" <<'GO'
package main

import "flag"

// listenHost is added by FaceGate's scripts/build-go-interop.sh: loopback unless asked.
var listenHost = flag.String("host", "127.0.0.1", "Address to listen on")
GO

echo "build-go-interop: go build ($(go version | cut -d' ' -f3))"
mkdir -p "$OUT"
export GO111MODULE=off GOFLAGS= GOPROXY=off CGO_ENABLED=0 \
       GOPATH="$SCRATCH/gopath:/usr/share/gocode" GOCACHE="${GOCACHE_DIR:-/tmp/facegate-go-cache}"
go build -o "$OUT/interop-server" google.golang.org/grpc/interop/server
go build -o "$OUT/interop-client" google.golang.org/grpc/interop/client
echo "build-go-interop: built $OUT/interop-server and $OUT/interop-client (grpc-go $UPVER)"
