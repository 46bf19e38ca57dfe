#!/usr/bin/env bash
# Every test of xinyong: formatting, lints, unit, integration and property tests,
# the store suite on SQLite and on PostgreSQL.
#
#   scripts/test.sh
#
# PostgreSQL: XINYONG_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test).
# Without a reachable server the PostgreSQL tests print a note and skip — except
# under CI=true, where a skip is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."

export XINYONG_TEST_DATABASE_URL="${XINYONG_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"

step() { printf '\n==> %s\n' "$*"; }

step "what the report tests need (CJK font, pdftotext, zbarimg)"
scripts/install-fonts.sh

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test (workspace)"
cargo test --workspace --locked

echo
echo "All tests passed."
