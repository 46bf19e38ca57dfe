#!/usr/bin/env bash
# Crash-consistency harness: kill -9 at random moments, recover, compare.
#
#   scripts/crash-harness.sh [--kind import|evaluate|submission|decision] [--store sqlite|pg]
#                            [--trials N] [--subjects N] [--chunk-rows N]
#                            [--seed S] [--profile debug|release] [--out DIR]
#
# XINYONG_BIN names a binary to use instead of building one.
# A generated city is split: its subjects and 60 % of its records are the
# base (imported and evaluated: the template installation), the other
# 40 % the new records. The reference is the template plus one clean run
# (`import` of the new records, or `evaluate-all`). Each trial starts from
# the template, starts the same command, kills it with SIGKILL after a
# random delay between 0 and the reference's own duration, runs the command
# again (what an operator does after a crash: every command first recovers
# what a dead process left, see docs/ARCHITECTURE.md "Crash recovery on
# open"), and compares `xinyong digest` of the result with the reference's.
#
# The server kinds kill `xinyong serve` instead, while a client works
# through the HTTP API (a department account of the template's):
#   submission  the department POSTs its share of the new records to
#               /api/v1/records (one batch);
#   decision    the department decides the objections the public filed in
#               the template against its records (POST
#               /api/v1/objections/{id}/decision: about half corrected by
#               withdrawing the record, the rest upheld), one after another.
# The command is then: start the server, run the client to the end, wait
# until the server's background re-evaluator owes nothing, stop the server
# (SIGTERM). After a kill the whole command runs
# again on the killed installation (the client re-submits the same batch, or
# decides the objections still open). Besides the digest, the decision kind
# compares each objection's status and decision with the reference's, and
# every kind checks the audit chain (`xinyong audit verify`). Verdicts:
#
#   lost        fewer record or subject versions than the reference
#   duplicated  more versions than the reference
#   stale       current results differ, or re-evaluation still owed
#   other       quarantine, running batches, versions missing from the
#               lake, leftover half-written files, workflow cases that
#               differ, a broken audit chain
#
# Exit 0 when every trial matches, 1 otherwise. On PostgreSQL each trial has
# a schema of its own in $XINYONG_CRASH_DATABASE_URL (default the test
# database), rebuilt from the base files, dropped afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."

kind=import
store=sqlite
trials=10
subjects=2000
chunk_rows=500
seed=17
profile=debug
out="${TMPDIR:-/tmp}/xinyong-crash"
while [ $# -gt 0 ]; do
  case "$1" in
    --kind) kind="$2"; shift 2 ;;
    --store) store="$2"; shift 2 ;;
    --trials) trials="$2"; shift 2 ;;
    --subjects) subjects="$2"; shift 2 ;;
    --chunk-rows) chunk_rows="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --profile) profile="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
case "$kind" in import|evaluate|submission|decision) ;; *) echo "--kind import|evaluate|submission|decision" >&2; exit 2 ;; esac
server_kind=false
case "$kind" in submission|decision) server_kind=true ;; esac
case "$store" in sqlite|pg) ;; *) echo "--store sqlite|pg" >&2; exit 2 ;; esac

target="${CARGO_TARGET_DIR:-target}"
if [ -n "${XINYONG_BIN:-}" ]; then
  bin="$XINYONG_BIN"
elif [ "$profile" = release ]; then
  cargo build --locked --release -p xinyong >&2
  bin="$target/release/xinyong"
else
  cargo build --locked -p xinyong >&2
  bin="$target/debug/xinyong"
fi
# A copy of its own: a build in the shared target directory during the
# campaign must not change the binary under test.
rm -rf "$out"
mkdir -p "$out"
cp "$bin" "$out/xinyong.bin"
bin="$(cd "$out" && pwd)/xinyong.bin"
pg_base="${XINYONG_CRASH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
export PGOPTIONS="-c client_min_messages=warning"

client="$(pwd)/scripts/crash-client.py"
cd "$out"
today="$(TZ=Asia/Shanghai date +%F)"

echo "==> city of $subjects subjects (seed $seed), split into base and new records"
"$bin" gen --subjects "$subjects" --seed "$seed" --out city --reference-date "$today" >/dev/null
total=$(wc -l < city/records.jsonl)
base_n=$(( total * 6 / 10 ))
head -n "$base_n" city/records.jsonl > base-records.jsonl
tail -n +"$(( base_n + 1 ))" city/records.jsonl > new-records.jsonl
echo "    $base_n base records, $(( total - base_n )) new"
if $server_kind; then
  # The department with the most new records; its share of them is the
  # submission's batch, its records in the base the objections' targets.
  dept="$(python3 -c '
import collections, json
c = collections.Counter(json.loads(l)["source"] for l in open("new-records.jsonl"))
print(c.most_common(1)[0][0])')"
  python3 -c '
import json, sys
rows = [json.loads(l) for l in open("new-records.jsonl")]
json.dump([r for r in rows if r["source"] == sys.argv[1]], open("dept-records.json", "w"), ensure_ascii=False)' "$dept"
  echo "    department $dept: $(python3 -c 'import json; print(len(json.load(open("dept-records.json"))))') of the new records"
fi

# The store arguments of installation $1 (a directory; on PostgreSQL also a schema).
store_args() {
  if [ "$store" = pg ]; then
    echo "--data-dir $1 --database-url ${pg_base}?options=-c%20search_path%3D$(pg_schema "$1")"
  else
    echo "--data-dir $1"
  fi
}
pg_schema() { basename "$1" | tr -c 'a-z0-9_\n' '_'; }
pg_reset() {
  [ "$store" = pg ] || return 0
  psql -q "$pg_base" -c "DROP SCHEMA IF EXISTS $(pg_schema "$1") CASCADE; CREATE SCHEMA $(pg_schema "$1");" >/dev/null
}
pg_drop() {
  [ "$store" = pg ] || return 0
  psql -q "$pg_base" -c "DROP SCHEMA IF EXISTS $(pg_schema "$1") CASCADE;" >/dev/null
}

# A template installation at $1: the base imported and evaluated.
make_base() {
  pg_reset "$1"
  # shellcheck disable=SC2046
  "$bin" import $(store_args "$1") --quiet --no-evaluate city/subjects.jsonl base-records.jsonl >/dev/null
  # shellcheck disable=SC2046
  "$bin" evaluate-all $(store_args "$1") >/dev/null
  if $server_kind; then
    # shellcheck disable=SC2046
    echo "crash-harness-pw" | "$bin" user add $(store_args "$1") --role department \
      --username crash-dept --department "$dept" --password-stdin >/dev/null
  fi
  if [ "$kind" = decision ]; then
    serve_start "$1"
    python3 "$client" "$addr" file-objections "$dept" 20 > "$1.objections.log"
    serve_stop
  fi
}

# The server kinds: a server on installation $1 at $addr (pid $server).
serve_start() {
  addr="127.0.0.1:$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  # shellcheck disable=SC2046
  XINYONG_LOG=warn "$bin" serve $(store_args "$1") --addr "$addr" >> "$1.server.log" 2>&1 &
  server=$!
}
serve_stop() {
  kill -TERM "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
}
# The client's work against the server at $addr.
client_work() {
  if [ "$kind" = submission ]; then
    python3 "$client" "$addr" submit dept-records.json
  else
    python3 "$client" "$addr" decide
  fi
}
# The rest of a server kind's command once the client is done: the
# objections' state; the server's background re-evaluator given the time to
# run what the submissions and decisions owe (the digest, read beside the
# live server, says when nothing is owed); the server stopped.
server_finish() {
  python3 "$client" "$addr" state > "$1.state.json"
  local owed=1
  for _ in $(seq 1 600); do
    # shellcheck disable=SC2046
    owed="$("$bin" digest $(store_args "$1") --as-of "$today" \
      | python3 -c 'import json, sys; d = json.load(sys.stdin); print(d["reevaluation_owed"] + d["batches_running"])')"
    [ "$owed" = 0 ] && break
    sleep 0.5
  done
  serve_stop
}
# A server kind's whole command on installation $1.
server_command() {
  serve_start "$1"
  client_work >> "$1.client.log" 2>&1
  server_finish "$1"
}

# The arguments of the command under test on installation $1 (the binary
# is started directly, so that SIGKILL reaches it and not a subshell).
cmd_args() {
  if [ "$kind" = import ]; then
    echo "import $(store_args "$1") --quiet --chunk-rows $chunk_rows new-records.jsonl"
  else
    echo "evaluate-all $(store_args "$1")"
  fi
}

digest() {
  # shellcheck disable=SC2046
  "$bin" digest $(store_args "$1") --as-of "$today"
}

echo "==> template and reference ($kind on $store)"
if [ "$store" = sqlite ]; then
  make_base template
  cp -a template reference
else
  make_base reference
fi
start=$(date +%s%N)
if $server_kind; then
  # The window a kill can hit: from the server's start to the client's end.
  serve_start reference
  client_work >> reference.client.log 2>&1
  duration_ms=$(( ($(date +%s%N) - start) / 1000000 ))
  server_finish reference
else
  # shellcheck disable=SC2046
  "$bin" $(cmd_args reference) >/dev/null
  duration_ms=$(( ($(date +%s%N) - start) / 1000000 ))
fi
digest reference > reference.json
echo "    clean $kind: ${duration_ms} ms"
cat reference.json

compare() {
  python3 - "$1" "$2" <<'EOF'
import json, sys
ref = json.load(open(sys.argv[1]))
got = json.load(open(sys.argv[2]))
faults = []
versions = lambda d: d["record_versions"] + d["subject_versions"]
if versions(got) < versions(ref):
    faults.append("lost")
elif versions(got) > versions(ref):
    faults.append("duplicated")
elif (got["record_versions_sha256"], got["subject_versions_sha256"]) != (ref["record_versions_sha256"], ref["subject_versions_sha256"]):
    faults.append("lost")  # same counts, other versions
if got["results_sha256"] != ref["results_sha256"] or got["subjects_with_results"] != ref["subjects_with_results"] or got["reevaluation_owed"] != 0:
    faults.append("stale")
for k in ("quarantined",):
    if got[k] != ref[k]:
        faults.append(f"other:{k} {got[k]} != {ref[k]}")
for k in ("batches_running", "lake_missing_versions", "leftover_files"):
    if got[k] != 0:
        faults.append(f"other:{k}={got[k]}")
print(" ".join(faults) if faults else "ok")
EOF
}

lost=0; duplicated=0; stale=0; other=0; killed_mid=0
for i in $(seq 1 "$trials"); do
  t="trial_$i"
  rm -rf "$t"
  if [ "$store" = sqlite ]; then cp -a template "$t"; else make_base "$t"; fi
  delay_ms=$(( RANDOM * 32768 + RANDOM ))
  delay_ms=$(( delay_ms % (duration_ms + 1) ))
  if $server_kind; then
    serve_start "$t"
    client_work > "$t.first.log" 2>&1 &
    worker=$!
    pid=$server
  else
    # shellcheck disable=SC2046
    "$bin" $(cmd_args "$t") > "$t.first.log" 2>&1 &
    pid=$!
  fi
  sleep "$(printf '%d.%03d' $(( delay_ms / 1000 )) $(( delay_ms % 1000 )))"
  # A child that has finished but is not yet waited for is a zombie (state
  # Z): killing it succeeds but kills nothing. For a server kind, the
  # command has finished when its client has.
  running="$pid"; $server_kind && running="$worker"
  if [ "$(awk '{print $3}' "/proc/$running/stat" 2>/dev/null)" != Z ] && kill -9 "$pid" 2>/dev/null; then
    killed_mid=$(( killed_mid + 1 )); state="killed at ${delay_ms} ms"
    # The client of a killed server is stopped too (it may be waiting for
    # a server that never answered).
    $server_kind && { kill -9 "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true; }
  else
    state="finished before ${delay_ms} ms"
    if $server_kind; then
      wait "$worker" 2>/dev/null || true
      serve_stop
    fi
  fi
  wait "$pid" 2>/dev/null || true
  if $server_kind; then
    rerun=(server_command "$t")
  else
    # shellcheck disable=SC2046
    rerun=("$bin" $(cmd_args "$t"))
  fi
  if ! "${rerun[@]}" > "$t.rerun.log" 2>&1; then
    echo "trial $i ($state): the re-run failed:"; tail -5 "$t.rerun.log"
    other=$(( other + 1 )); continue
  fi
  digest "$t" > "$t.json"
  verdict="$(compare reference.json "$t.json")"
  if $server_kind && ! cmp -s reference.state.json "$t.state.json"; then
    verdict="${verdict/ok/}${verdict:+ }other:workflow cases differ"
  fi
  # shellcheck disable=SC2046
  if ! "$bin" audit verify $(store_args "$t") > "$t.audit.log" 2>&1; then
    verdict="${verdict/ok/}${verdict:+ }other:audit chain broken"
  fi
  verdict="$(echo "$verdict" | sed 's/^ *//')"
  echo "trial $i ($state): $verdict"
  case "$verdict" in *lost*) lost=$(( lost + 1 )) ;; esac
  case "$verdict" in *duplicated*) duplicated=$(( duplicated + 1 )) ;; esac
  case "$verdict" in *stale*) stale=$(( stale + 1 )) ;; esac
  case "$verdict" in *other*) other=$(( other + 1 )) ;; esac
  if [ "$verdict" = ok ]; then pg_drop "$t"; rm -rf "$t" "$t".*.log; fi
done
pg_drop reference

echo
echo "$kind on $store: $trials trials ($killed_mid killed mid-run): lost $lost, duplicated $duplicated, stale $stale, other $other"
[ $(( lost + duplicated + stale + other )) -eq 0 ]
