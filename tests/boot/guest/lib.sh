# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers for boot-tier scenarios (sourced in the guest). Every check prints
# one "DMIRROR-SCENARIO: PASS|FAIL <scenario>: <what>" line; observations the
# host asserts on are printed as "DMIRROR-OBSERVE: <key>: <value>".
failures=0
pass() { echo "DMIRROR-SCENARIO: PASS $DMIRROR_SCENARIO: $*"; }
fail() { echo "DMIRROR-SCENARIO: FAIL $DMIRROR_SCENARIO: $*"; failures=$((failures + 1)); }
# check WHAT COMMAND...: PASS when the command exits 0.
check() {
  local what=$1; shift
  if "$@"; then pass "$what"; else fail "$what (exit $?: $*)"; fi
}
# observe KEY COMMAND...: runs the command, prints each line of its output
# (stdout and stderr) as "DMIRROR-OBSERVE: KEY: line", then
# "DMIRROR-OBSERVE: KEY: rc=N". Returns the command's status.
observe() {
  local key=$1; shift
  local out rc
  out=$("$@" 2>&1); rc=$?
  [[ -n $out ]] && printf '%s\n' "$out" | sed "s|^|DMIRROR-OBSERVE: $key: |"
  echo "DMIRROR-OBSERVE: $key: rc=$rc"
  return $rc
}
# wait_for SECONDS COMMAND...: retries the command every second.
wait_for() {
  local n=$1; shift
  for ((i = 0; i < n; i++)); do "$@" && return 0; sleep 1; done
  "$@"
}
finish() { [[ $failures -eq 0 ]] || exit 1; exit 0; }
# host_request WORDS...: asks the host side (scenarios/NAME.host.sh request
# WORDS) to act on the running machine, e.g. plug a disk; the host serves
# each request line once. Wait for its effect with wait_for.
host_request() { echo "DMIRROR-HOST-REQUEST: $*"; }
