#!/usr/bin/env bash
# Step: QEMU (qemu-system-arm) and, when asked, more Debian/Ubuntu packages (INPUT_APT, one per
# line, e.g. the arm-none-eabi toolchain for cmake builds). Installs only what is missing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lines "${INPUT_APT:-}"
need=()
command -v qemu-system-arm >/dev/null 2>&1 || need+=(qemu-system-arm)
for pkg in "${LINES_OUT[@]+"${LINES_OUT[@]}"}"; do
  [[ "$pkg" =~ ^[a-z0-9][a-z0-9.+-]*$ ]] || die "apt: '$pkg' is not a Debian package name"
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "tandem-action: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq
  as_root apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
version="$(qemu-system-arm --version | head -n1)"
echo "tandem-action: $version"
output qemu-version "$version"
