#!/usr/bin/env bash
# The OpenAPI-driven fuzzer against a real server: schemathesis (installed
# here, from PyPI, into a virtual environment of its own) generates requests
# from GET /api/v1/openapi.json and checks that no answer is a 5xx and every
# answer matches the document (status, content type, body schema) — once
# without a login and once logged in as each role of the demo accounts.
#
#   scripts/schemathesis.sh [--subjects N] [--max-examples N]
#
# Uses the debug build (CI's) unless XINYONG_BIN names a binary.
set -euo pipefail
cd "$(dirname "$0")/.."

subjects=200
examples=25
while [ $# -gt 0 ]; do
  case "$1" in
    --subjects) subjects="$2"; shift 2 ;;
    --max-examples) examples="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

venv="${XINYONG_VENV:-$HOME/.cache/xinyong/venv}"
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet 'schemathesis>=4,<5'
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

# The demo city and its accounts (one per role), without serving.
"$bin" demo --data-dir "$work/data" --subjects "$subjects" --no-serve > "$work/demo.json"

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
XINYONG_LOG=warn "$bin" serve --data-dir "$work/data" --addr "127.0.0.1:$port" 2> "$work/server.log" &
server=$!
for _ in $(seq 1 100); do
  curl -sf "$base/api/v1/health" > /dev/null && break
  sleep 0.2
done

login() {
  python3 - "$work/demo.json" "$1" "$base" <<'PY'
import json, sys, urllib.request
demo = json.load(open(sys.argv[1]))
acct = next(a for a in demo["accounts"] if a["role"] == sys.argv[2])
req = urllib.request.Request(sys.argv[3] + "/api/v1/session", method="POST",
    data=json.dumps({"username": acct["username"], "password": acct["password"]}).encode(),
    headers={"content-type": "application/json"})
print(json.load(urllib.request.urlopen(req))["token"])
PY
}

roles=(enterprise department officer bank admin auditor)
# Every role logs in before any fuzzing: the fuzzer's own failed logins from
# this address are throttled (429), as they should be.
declare -A token
for role in "${roles[@]}"; do
  token[$role]="$(login "$role")"
done

checks=not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance
status=0
for role in public "${roles[@]}"; do
  echo "==> schemathesis as $role"
  auth=()
  if [ "$role" != public ]; then
    auth=(-H "Authorization: Bearer ${token[$role]}")
  fi
  # Logging out would end the session the rest of the run uses.
  "$venv/bin/schemathesis" run "$base/api/v1/openapi.json" --url "$base" \
    "${auth[@]}" --checks "$checks" --max-examples "$examples" --seed 1 \
    --exclude-operation-id logout --no-color \
    --generation-database none --workers 2 --request-timeout 60 \
    || status=1
done
if grep -q "panicked" "$work/server.log"; then
  echo "the server panicked:" >&2
  grep -B2 -A5 "panicked" "$work/server.log" >&2
  status=1
fi
exit $status
