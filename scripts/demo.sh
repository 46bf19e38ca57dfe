#!/usr/bin/env bash
# The main job: build the demo city on the embedded store and evaluate it.
#
#   scripts/demo.sh [xinyong demo options, e.g. --subjects 20000 --data-dir DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p xinyong
exec "${CARGO_TARGET_DIR:-target}/release/xinyong" demo "$@"
