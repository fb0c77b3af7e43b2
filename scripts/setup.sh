#!/usr/bin/env bash
# Installs everything FaceGate needs to build, run and test on Debian 12:
# Debian packages (only when missing) and the Python venv .venv (tests, codegen, references).
# Idempotent; safe to run before every `make` target.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive

APT_PACKAGES=(
  libnghttp2-dev nghttp2-client      # HTTP/2 library; h2load/nghttp for benchmarks and tests
  libprotobuf-c-dev protobuf-c-compiler protobuf-compiler grpc-proto
  libsqlite3-dev                     # gallery store
  libjpeg62-turbo-dev libpng-dev     # image decoding
  libopenblas-dev                    # BLAS + LAPACK (engine comparison, gallery PCA fit)
  zlib1g-dev libssl-dev pkg-config
  python3-venv make
  golang-go golang-google-grpc-dev protoc-gen-go-1-3   # Go client stubs and example (Clients/go)
)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

REQ=scripts/requirements-dev.txt
STAMP=.venv/.requirements.sha256
want=$(sha256sum "$REQ" | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
  echo "setup: creating Python venv .venv from $REQ"
  python3 -m venv .venv
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q -r "$REQ"
  echo "$want" > "$STAMP"
fi
echo "setup: ok"
