# SPDX-License-Identifier: LGPL-2.1-or-later
# bash completion for dmirrorctl. Words come from the binary itself:
# `dmirrorctl __complete [CMD [SUB]]` (commands and options, straight from
# the parser), `__complete --values CMD` (options that take a value) and
# `__complete --arrays` (array names from the superblocks on the block
# devices and the active volumes); the static lists below are the fallback
# when dmirrorctl cannot be run.

_dmirrorctl_block_devices() {
  local d
  for d in /sys/class/block/*; do
    [[ -e $d ]] && printf '/dev/%s\n' "${d##*/}"
  done
}

_dmirrorctl_static() {
  local global="--help -h --version -V --json --verbose -v"
  case "$1" in
    "") echo "help create examine status list resync verify scrub clear replace io activate deactivate monitor $global" ;;
    help) echo "create examine status list resync verify scrub clear replace io activate deactivate monitor" ;;
    create) echo "--region-size --assume-clean --force --yes -y --write-mostly --max-write-behind" \
                 "--min-recovery-rate --max-recovery-rate --no-activate --activate $global" ;;
    examine) echo "--events $global" ;;
    resync) echo "--full --from --re-add --force $global" ;;
    verify) echo "--quick --repair --from --report $global" ;;
    scrub) echo "--check-only --from --max-rate --rate-file --restart --max-runtime --continue --quiet -q --lock-dir $global" ;;
    clear) echo "--leg $global" ;;
    replace) echo "--old --new --force $global" ;;
    io) echo "read write $global" ;;
    "io write") echo "--offset --from --no-close --degraded $global" ;;
    "io read") echo "--offset --length --to --prefer --heal $global" ;;
    activate) echo "--degraded --from --re-add --force --incremental --run-dir $global" ;;
    monitor) echo "--oneshot --exec --stderr --interval $global" ;;
    *) echo "$global" ;;
  esac
}

# Options of "$@" that take a value.
_dmirrorctl_value_options() {
  dmirrorctl __complete --values "$@" 2>/dev/null ||
    echo "--region-size --write-mostly --max-write-behind --min-recovery-rate --max-recovery-rate --events" \
         "--from --report --max-rate --rate-file --max-runtime --lock-dir --leg --old --new --offset --length --to --prefer" \
         "--run-dir --exec --interval"
}

_dmirrorctl_arrays() { dmirrorctl __complete --arrays 2>/dev/null; }

_dmirrorctl_legs() {
  COMPREPLY+=($({ compgen -W "$(_dmirrorctl_block_devices)" -- "$cur"; compgen -f -- "$cur"; } | sort -u))
}

_dmirrorctl() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
  local cmd="" sub="" npos=0 i w values=""
  COMPREPLY=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=${COMP_WORDS[i]}
    if [[ $w == -* ]]; then
      [[ -n $cmd && $w != *=* && " $values " == *" $w "* ]] && ((i++))   # skip the option's value
    elif [[ -z $cmd ]]; then
      cmd=$w
      values=$(_dmirrorctl_value_options "$cmd" | tr '\n' ' ')
    elif [[ $cmd == io && -z $sub ]]; then
      sub=$w
      values=$(_dmirrorctl_value_options io "$sub" | tr '\n' ' ')
    else
      ((npos++))
    fi
  done

  # The value of an option.
  if [[ -n $cmd && $prev == -* && " $values " == *" $prev "* ]]; then
    case $prev in
      --region-size) COMPREPLY=($(compgen -W "64K 256K 1M 4M 16M 64M" -- "$cur")) ;;
      --write-mostly) COMPREPLY=($(compgen -W "$(seq 0 15)" -- "$cur")) ;;
      --from | --old | --leg) [[ $cmd == io ]] || COMPREPLY=($(compgen -W "$(seq 0 15)" -- "$cur")); _dmirrorctl_legs ;;
      --new) _dmirrorctl_legs ;;
      --report | --rate-file | --to) COMPREPLY=($(compgen -f -- "$cur")) ;;
      --lock-dir | --run-dir) COMPREPLY=($(compgen -d -- "$cur")) ;;
      --exec) COMPREPLY=($(compgen -c -- "$cur")) ;;
      --max-runtime) COMPREPLY=($(compgen -W "30m 1h 2h 6h 12h 1d" -- "$cur")) ;;
      --max-rate) COMPREPLY=($(compgen -W "10M 50M 100M 200M 500M" -- "$cur")) ;;
    esac
    return
  fi

  if [[ $cur == -* || -z $cmd || ($cmd == io && -z $sub) ]]; then
    local key=$cmd
    [[ -n $sub ]] && key="$cmd $sub"
    local words
    # shellcheck disable=SC2086
    words=$(dmirrorctl __complete $key 2>/dev/null) || words=$(_dmirrorctl_static "$key")
    [[ -z $words ]] && words=$(_dmirrorctl_static "$key")
    [[ $cur != -* ]] && words=$(printf '%s\n' $words | grep -v '^-')
    COMPREPLY=($(compgen -W "$words" -- "$cur" | sort -u))
    return
  fi

  case $cmd in
    help) ((npos == 0)) || return
          local cmds
          cmds=$(dmirrorctl __complete help 2>/dev/null) || cmds=$(_dmirrorctl_static help)
          COMPREPLY=($(compgen -W "$cmds" -- "$cur")) ;;
    create) ((npos == 0)) && return; _dmirrorctl_legs ;;   # first: the new array's name
    examine) _dmirrorctl_legs ;;
    list) COMPREPLY=($(compgen -f -- "$cur")) ;;
    deactivate | monitor) COMPREPLY=($(compgen -W "$(_dmirrorctl_arrays)" -- "$cur")) ;;
    *) COMPREPLY=($(compgen -W "$(_dmirrorctl_arrays)" -- "$cur")); _dmirrorctl_legs ;;
  esac
}

complete -o filenames -F _dmirrorctl dmirrorctl
