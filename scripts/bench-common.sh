# Shared by the server benchmarks (scripts/bench-server.sh,
# bench-workflows.sh, bench-pages.sh): sourced, not run.
#
#   bench_build                      the release binary and the load generator:
#                                    sets BIN and LOAD (XINYONG_BIN, when set,
#                                    names the binary, and nothing is built if
#                                    the load generator is already there)
#   bench_city OUT SUBJECTS REUSE [STORE ARGS…]
#                                    the demo city in OUT/data with its accounts
#                                    in OUT/demo.json, built unless REUSE names
#                                    a directory that already holds one
#   bench_serve LOG [STORE ARGS…]    serves OUT/data on a free local port: sets
#                                    ADDR and SERVER, stops it on exit, returns
#                                    once it answers

bench_build() {
  local t="${CARGO_TARGET_DIR:-target}/release"
  LOAD="$t/examples/loadgen"
  if [ -n "${XINYONG_BIN:-}" ] && [ -x "$LOAD" ]; then
    BIN="$XINYONG_BIN"
    return
  fi
  cargo build --release --locked -p xinyong -p xinyong-http --bins --example loadgen >&2
  BIN="${XINYONG_BIN:-$t/xinyong}"
}

bench_city() {
  local out="$1" subjects="$2" reuse="$3"
  shift 3
  if [ -z "$reuse" ] || [ ! -f "$out/demo.json" ]; then
    rm -rf "$out"; mkdir -p "$out"
    /usr/bin/time -f "demo build: %e s, peak %M KB" \
      "$BIN" demo --data-dir "$out/data" "$@" --subjects "$subjects" --no-serve > "$out/demo.json"
  fi
}

bench_serve() {
  local log="$1"
  shift
  local port
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  ADDR="127.0.0.1:$port"
  XINYONG_LOG="${XINYONG_LOG:-warn}" "$BIN" serve --data-dir "$OUT/data" "$@" --addr "$ADDR" 2> "$log" &
  SERVER=$!
  trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT
  for _ in $(seq 1 300); do curl -sf "http://$ADDR/api/v1/health" > /dev/null && break; sleep 0.2; done
}
