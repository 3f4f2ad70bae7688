# SPDX-License-Identifier: LGPL-2.1-or-later
# Prints the matches zsh's completion system offers for a command line, one
# per line: zsh -f zsh_complete.zsh FPATH_DIR 'dmirrorctl scrub --max-r'.
# Runs an interactive zsh on a zpty with compinit and the functions in
# FPATH_DIR, presses TAB after the line, and records every match added
# (a compadd wrapper) in a file until completion ends.
zmodload zsh/zpty || { print -u2 "zsh/zpty not available"; exit 1; }
export ZCAPTURE=$(mktemp)
zpty z zsh -f -i
zpty -w z "fpath=(${(q)1} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z 'compadd() {
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)* ]]; then builtin compadd "$@"; return; fi
  local -a __hits; builtin compadd -O __hits "$@"
  (( $#__hits )) && print -rl -- "<hit>"${^__hits} >>$ZCAPTURE
  builtin compadd "$@"
}'
zpty -w z '__capture_done() { print -r "<done>" >>$ZCAPTURE; exit }; comppostfuncs=(__capture_done)'
zpty -n -w z "$2"$'\t'
integer i
for (( i = 0; i < 100; i++ )); do
  grep -q '^<done>$' $ZCAPTURE && break
  sleep 0.1
done
zpty -d z
sed -n 's/^<hit>//p' $ZCAPTURE
grep -q '^<done>$' $ZCAPTURE || print -u2 "zsh completion did not finish"
rm -f $ZCAPTURE
