#!/usr/bin/env bash
# The pages in a real browser: builds the `xinyong` binary (debug profile),
# builds a small demo city in a temporary directory, serves it on a free
# local port, runs the node tests of tests/browser headless in Debian's
# chromium (/usr/bin/chromium, through playwright-core) and stops the
# server. Screenshots of every page visited are kept as test artefacts.
#
#   scripts/browser-test.sh [--subjects N]
#
# Needs scripts/install-browser.sh (run here when something is missing).
# XINYONG_BIN names a binary to use instead of building one;
# XINYONG_BROWSER_ARTEFACTS the screenshot directory (default
# ${TMPDIR:-/tmp}/xinyong-browser-artefacts, emptied first).
set -euo pipefail
cd "$(dirname "$0")/.."

subjects=2000
while [ $# -gt 0 ]; do
  case "$1" in
    --subjects) subjects="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

if [ ! -x /usr/bin/chromium ] || [ ! -f tests/browser/node_modules/playwright-core/package.json ] \
    || [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
  scripts/install-browser.sh
fi

bin="${XINYONG_BIN:-}"
if [ -z "$bin" ]; then
  cargo build --locked -p xinyong
  bin="${CARGO_TARGET_DIR:-target}/debug/xinyong"
fi

work="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

artefacts="${XINYONG_BROWSER_ARTEFACTS:-${TMPDIR:-/tmp}/xinyong-browser-artefacts}"
rm -rf "$artefacts"
mkdir -p "$artefacts"

echo "==> demo city of $subjects subjects"
"$bin" demo --data-dir "$work/data" --subjects "$subjects" --no-serve > "$work/demo.json"

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
XINYONG_LOG=warn "$bin" serve --data-dir "$work/data" --addr "127.0.0.1:$port" 2> "$work/server.log" &
server=$!
up=""
for _ in $(seq 1 150); do
  if curl -sf "$base/api/v1/health" > /dev/null; then up=1; break; fi
  sleep 0.2
done
if [ -z "$up" ]; then
  echo "browser-test: the server did not start" >&2
  cat "$work/server.log" >&2
  exit 1
fi

echo "==> browser tests against $base (screenshots in $artefacts)"
status=0
(
  cd tests/browser
  XINYONG_BASE="$base" XINYONG_DEMO="$work/demo.json" XINYONG_BROWSER_ARTEFACTS="$artefacts" \
    CHROMIUM=/usr/bin/chromium node --test --test-concurrency=1 --test-reporter=spec
) || status=$?
if [ "$status" -ne 0 ]; then
  echo "browser-test: failed; the server's log:" >&2
  tail -50 "$work/server.log" >&2
fi
exit "$status"
