#!/usr/bin/env bash
# Installs what is needed, fetches the default model into the cache (only when missing),
# builds release and starts the server on 127.0.0.1:50051 with the gallery var/gallery.sqlite.
# Extra arguments go to `facegate serve` (see `facegate serve --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product facegate
BIN="$(swift build -c release --show-bin-path)/facegate"
"$BIN" model fetch
mkdir -p var
exec "$BIN" serve --host 127.0.0.1 --port 50051 --gallery var/gallery.sqlite "$@"
