#!/usr/bin/env bash
# Installs what tandem and its tests need, then builds tandem. Safe to run again: it only does
# what is missing. As root it installs Debian packages itself; otherwise it prints the apt line.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
have() { command -v "$1" >/dev/null 2>&1; }
have qemu-system-arm || need+=(qemu-system-arm)
have arm-none-eabi-gcc || need+=(gcc-arm-none-eabi)
# newlib provides the C library headers the demo firmware compiles against.
[ -e /usr/lib/arm-none-eabi/include/string.h ] || [ -e /usr/include/newlib/string.h ] || need+=(libnewlib-arm-none-eabi)
have cmake || need+=(cmake)
have ninja || need+=(ninja-build)
# Cost and reach: the QEMU probe plugin is compiled with the host's C compiler on first use.
have cc || have gcc || need+=(gcc)
# Crash forensics (addr2line/objdump/nm on the job's ELF) and `tandem debug`'s debugger, which its tests drive.
have arm-none-eabi-addr2line || need+=(binutils-arm-none-eabi)
have gdb-multiarch || need+=(gdb-multiarch)
# Used by the report tests: JUnit schema validation and the HTML report in a real browser.
have xmllint || need+=(libxml2-utils)
have chromium || need+=(chromium)
# The silicon-tier tests replay console captures through a pseudo-terminal with a small script.
have python3 || need+=(python3)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    . scripts/apt-wait.sh
    apt_get update -qq
    apt_get install -y -qq --no-install-recommends "${need[@]}"
  else
    echo "setup: missing packages; run:" >&2
    echo "  sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build
