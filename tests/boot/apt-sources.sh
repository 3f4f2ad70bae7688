#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Prints the host's apt sources for one Debian suite family as one-line
# "deb [signed-by=...] URI SUITE COMPONENTS" entries, for mmdebstrap. Reads
# /etc/apt/sources.list and /etc/apt/sources.list.d/*.list (one-line format)
# and /etc/apt/sources.list.d/*.sources (deb822), the files apt itself reads.
# Only "deb" entries whose suite is SUITE or SUITE-<something> (updates,
# security) are kept, so third-party repositories stay out of the guest.
#
# Usage: apt-sources.sh SUITE      (e.g. bookworm)
# Exits 1 with a message when the host has no such entry.
set -euo pipefail
suite=${1:?usage: apt-sources.sh SUITE}
etc=${DMIRROR_APT_ETC:-/etc/apt}

want_suite() { [[ $1 == "$suite" || $1 == "$suite"-* || $1 == "$suite"/* ]]; }

one_line() {  # a sources.list file
  local line opts uri dist comps
  while read -r line; do
    line=${line%%#*}
    [[ $line =~ ^[[:space:]]*deb[[:space:]]+(\[[^]]*\][[:space:]]+)?([^[:space:]]+)[[:space:]]+([^[:space:]]+)(.*)$ ]] || continue
    opts=${BASH_REMATCH[1]} uri=${BASH_REMATCH[2]} dist=${BASH_REMATCH[3]} comps=${BASH_REMATCH[4]}
    want_suite "$dist" || continue
    echo "deb ${opts}${uri} ${dist}${comps}"
  done <"$1"
}

deb822() {  # a .sources file: stanzas separated by blank lines
  awk -v suite="$suite" '
    function flush(   n, i, u, s, sa, ua, opt) {
      if (types ~ /(^|[ \t])deb([ \t]|$)/ && enabled != "no" && uris != "") {
        opt = (signed != "") ? "[signed-by=" signed "] " : ""
        n = split(uris, ua, /[ \t]+/)
        m = split(suites, sa, /[ \t]+/)
        for (i = 1; i <= n; i++) for (s = 1; s <= m; s++) {
          if (ua[i] == "" || sa[s] == "") continue
          if (sa[s] == suite || index(sa[s], suite "-") == 1 || index(sa[s], suite "/") == 1)
            print "deb " opt ua[i] " " sa[s] " " comps
        }
      }
      types = uris = suites = comps = signed = enabled = ""
    }
    /^[ \t]*#/ { next }
    /^[ \t]*$/ { flush(); next }
    {
      key = tolower($1); sub(/:$/, "", key)
      val = $0; sub(/^[^:]*:[ \t]*/, "", val); sub(/[ \t]+$/, "", val)
      if (key == "types") types = val
      else if (key == "uris") uris = val
      else if (key == "suites") suites = val
      else if (key == "components") comps = val
      else if (key == "signed-by") signed = val
      else if (key == "enabled") enabled = tolower(val)
    }
    END { flush() }' "$1"
}

out=()
for f in "$etc/sources.list" "$etc"/sources.list.d/*.list; do
  [[ -f $f ]] && mapfile -t -O "${#out[@]}" out < <(one_line "$f")
done
for f in "$etc"/sources.list.d/*.sources; do
  [[ -f $f ]] && mapfile -t -O "${#out[@]}" out < <(deb822 "$f")
done
if [[ ${#out[@]} -eq 0 ]]; then
  echo "apt-sources: no 'deb' entry for suite '$suite' in $etc/sources.list or $etc/sources.list.d/" >&2
  echo "apt-sources: the boot tier builds its Debian guest from the host's apt sources; add a $suite mirror" >&2
  exit 1
fi
printf '%s\n' "${out[@]}" | awk '!seen[$0]++'
