#!/usr/bin/env bash
# README command 1: set up, then run the built-in demo (native vs wasm on QEMU, and on Renode when
# it is installed). The demo's wasm variant regresses on purpose; `tandem demo` turns that expected
# exit 1 into 0 and says so (anything else is a real failure).
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit $?
exec bin/tandem demo "$@"
