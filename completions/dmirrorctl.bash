# SPDX-License-Identifier: LGPL-2.1-or-later
# bash completion for dmirrorctl. Words come from the binary itself:
# `dmirrorctl __complete [CMD [SUB]]` (commands and options, straight from
# the parser), `__complete --values CMD` (options that take a value) and
# `__complete --arrays` (array names from the superblocks on the block
# devices and the active volumes), `__complete --legs WORDS` (the slots and
# legs of the array the command line names), `__complete --active` (active
# volumes) and `__complete --free-devices` (block devices without a
# signature, for create); the static lists below are the fallback when
# dmirrorctl cannot be run.

_dmirrorctl_block_devices() {
  local d
  for d in /sys/class/block/*; do
    [[ -e $d ]] && printf '/dev/%s\n' "${d##*/}"
  done
}

_dmirrorctl_static() {
  local global="--help -h --version -V --json --verbose -v"
  case "$1" in
    "") echo "help create examine status list resync verify scrub clear replace add remove split merge set io activate deactivate monitor wipe $global" ;;
    help) echo "create examine status list resync verify scrub clear replace add remove split merge set io activate deactivate monitor wipe" ;;
    create) echo "--region-size --assume-clean --force --yes -y --write-mostly --max-write-behind" \
                 "--min-recovery-rate --max-recovery-rate --degraded-timeout --no-activate --activate $global" ;;
    examine) echo "--events $global" ;;
    resync) echo "--full --from --re-add --force --degraded --max-rate $global" ;;
    verify) echo "--quick --repair --from --report --degraded $global" ;;
    scrub) echo "--check-only --from --max-rate --rate-file --restart --max-runtime --continue --quiet -q --lock-dir --degraded $global" ;;
    clear) echo "--leg --degraded $global" ;;
    wipe) echo "--force --with $global" ;;
    replace) echo "--old --new --force --max-rate --restart --degraded $global" ;;
    add) echo "--new --force --max-rate --degraded --spare $global" ;;
    remove) echo "--leg --force --degraded $global" ;;
    split) echo "--leg --name --force --degraded $global" ;;
    merge | rejoin) echo "--degraded $global" ;;
    set) echo "--write-mostly --no-write-mostly --min-recovery-rate --max-recovery-rate --spare-takeover --degraded-timeout --degraded $global" ;;
    io) echo "read write $global" ;;
    "io write") echo "--offset --from --no-close --degraded $global" ;;
    "io read") echo "--offset --length --to --prefer --heal --degraded $global" ;;
    activate) echo "--degraded --from --re-add --force --incremental --last-resort --run-dir $global" ;;
    monitor) echo "--oneshot --exec --stderr --interval --no-spares $global" ;;
    *) echo "$global" ;;
  esac
}

# Options of "$@" that take a value.
_dmirrorctl_value_options() {
  dmirrorctl __complete --values "$@" 2>/dev/null ||
    echo "--region-size --write-mostly --no-write-mostly --max-write-behind --min-recovery-rate --max-recovery-rate --degraded-timeout --spare-takeover --events" \
         "--from --report --max-rate --rate-file --max-runtime --lock-dir --leg --old --new --offset --length --to --prefer" \
         "--run-dir --exec --interval --name"
}

_dmirrorctl_arrays() { dmirrorctl __complete --arrays 2>/dev/null; }

_dmirrorctl_legs() {
  COMPREPLY+=($({ compgen -W "$(_dmirrorctl_block_devices)" -- "$cur"; compgen -f -- "$cur"; } | sort -u))
}

# New legs (create, replace --new): block devices that carry no signature
# and are not in use, and files (image files).
_dmirrorctl_free_legs() {
  local free
  free=$(dmirrorctl __complete --free-devices 2>/dev/null | cut -f1) || free=$(_dmirrorctl_block_devices)
  COMPREPLY+=($({ compgen -W "$free" -- "$cur"; compgen -f -- "$cur" | grep -v '^/dev/'; } | sort -u))
}

# The slots and leg paths of the array named by the positional words
# (with an argument: the slots only).
_dmirrorctl_array_legs() {
  ((${#positional[@]})) || return
  local IFS=$'\n' pattern=.
  [[ $1 == slots ]] && pattern='^[0-9]'
  COMPREPLY+=($(compgen -W "$(dmirrorctl __complete --legs "${positional[@]}" 2>/dev/null | cut -f1 | grep "$pattern")" -- "$cur"))
}

_dmirrorctl() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
  local cmd="" sub="" npos=0 i w values=""
  local -a positional=()   # the positional words of the whole line, but the current one
  COMPREPLY=()
  for ((i = 1; i < ${#COMP_WORDS[@]}; i++)); do
    ((i == COMP_CWORD)) && continue
    ((i > COMP_CWORD)) && [[ -z $cmd ]] && break
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
      ((i < COMP_CWORD)) && ((npos++))
      [[ -n $w ]] && positional+=("$w")
    fi
  done

  # The value of an option.
  if [[ -n $cmd && $prev == -* && " $values " == *" $prev "* ]]; then
    case $prev in
      --region-size) COMPREPLY=($(compgen -W "64K 256K 1M 4M 16M 64M" -- "$cur")) ;;
      --write-mostly) if [[ $cmd == set ]]; then _dmirrorctl_array_legs   # a leg of the array
                      elif ((${#positional[@]} > 1)); then   # create: the slots of the legs given after the name
                        COMPREPLY=($(compgen -W "$(seq 0 $((${#positional[@]} - 2)))" -- "$cur"))
                      fi ;;
      --no-write-mostly) _dmirrorctl_array_legs ;;
      --from) if [[ $cmd == io ]]; then COMPREPLY=($(compgen -f -- "$cur")); else _dmirrorctl_array_legs; fi ;;
      --old | --leg) _dmirrorctl_array_legs ;;
      --prefer) _dmirrorctl_array_legs slots ;;
      --new) _dmirrorctl_free_legs ;;
      --report | --rate-file | --to) COMPREPLY=($(compgen -f -- "$cur")) ;;
      --lock-dir | --run-dir) COMPREPLY=($(compgen -d -- "$cur")) ;;
      --exec) COMPREPLY=($(compgen -c -- "$cur")) ;;
      --max-runtime) COMPREPLY=($(compgen -W "30m 1h 2h 6h 12h 1d" -- "$cur")) ;;
      --max-rate) COMPREPLY=($(compgen -W "10M 50M 100M 200M 500M" -- "$cur")) ;;
      --min-recovery-rate | --max-recovery-rate) COMPREPLY=($(compgen -W "0 1M 10M 50M 100M 200M" -- "$cur")) ;;
      --spare-takeover) COMPREPLY=($(compgen -W "auto off" -- "$cur")) ;;
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
    create) ((npos == 0)) && return; _dmirrorctl_free_legs ;;   # first: the new array's name
    examine) _dmirrorctl_legs ;;
    list) COMPREPLY=($(compgen -f -- "$cur")) ;;
    deactivate | monitor) COMPREPLY=($(compgen -W "$(dmirrorctl __complete --active 2>/dev/null | cut -f1)" -- "$cur")) ;;
    *) COMPREPLY=($(compgen -W "$(_dmirrorctl_arrays)" -- "$cur")); _dmirrorctl_legs ;;
  esac
}

complete -o filenames -F _dmirrorctl dmirrorctl
