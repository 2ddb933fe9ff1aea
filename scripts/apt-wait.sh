# Sourced by setup.sh. apt_get ARGS…: apt-get, waiting while another package manager holds apt's or
# dpkg's lock (a fresh cloud VM runs unattended-upgrades for minutes after boot), at most
# TANDEM_APT_WAIT seconds (default 600), and saying so. apt's own DPkg::Lock::Timeout covers only
# some of its locks in some versions (not the lists lock of `apt-get update`), so apt-get is run
# again while it fails on a lock: nothing was changed by a run that could not lock.
apt_get() {
  local limit=${TANDEM_APT_WAIT:-600} poll=${TANDEM_APT_POLL:-5} since='' log rc holder
  log=$(mktemp)
  while :; do
    rc=0
    "${TANDEM_APT_GET:-apt-get}" "$@" >"$log" 2>&1 || rc=$?
    if [ "$rc" -eq 0 ]; then
      rm -f "$log"
      return 0
    fi
    # `E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 7141 (unattended-upgr)`
    holder=$(grep -m1 -E 'Could not get lock|Unable to (acquire|lock)' "$log" | sed -e 's/^E: //' -e 's/[.]$//') || true
    if [ -z "$holder" ]; then
      cat "$log" >&2
      rm -f "$log"
      return "$rc"
    fi
    # The limit is on the waiting, counted from the first refusal (apt-get's own run time is not
    # waiting), in microseconds.
    if [ -n "$since" ] && [ $(( ${EPOCHREALTIME/./} - since )) -ge $(( limit * 1000000 )) ]; then
      echo "setup: gave up after ${limit} s waiting for the package manager: ${holder}. Wait for it to finish (or raise TANDEM_APT_WAIT) and run this again." >&2
      rm -f "$log"
      return "$rc"
    fi
    if [ -z "$since" ]; then
      echo "setup: another package manager is busy (${holder}); waiting for it, at most ${limit} s (TANDEM_APT_WAIT)" >&2
      since=${EPOCHREALTIME/./}
    fi
    sleep "$poll"
  done
}
