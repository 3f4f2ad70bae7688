# SPDX-License-Identifier: LGPL-2.1-or-later
# bash completion for dmirrorctl. Words come from `dmirrorctl __complete`
# (the parser itself), with the static lists below as a fallback.

_dmirrorctl_block_devices() {
  local d
  for d in /sys/class/block/*; do
    [[ -e $d ]] && printf '/dev/%s\n' "${d##*/}"
  done
}

_dmirrorctl_static() {
  local global="--help -h --version --json --verbose -v"
  case $1 in
    "") echo "create examine status list activate deactivate monitor $global" ;;
    create) echo "--region-size --assume-clean --force --yes -y --write-mostly --max-write-behind" \
                 "--min-recovery-rate --max-recovery-rate --no-activate --activate $global" ;;
    examine) echo "--events $global" ;;
    status | list) echo "$global" ;;
    activate) echo "--degraded --force $global" ;;
    deactivate) echo "$global" ;;
    monitor) echo "--oneshot --exec --stderr --interval $global" ;;
  esac
}

_dmirrorctl() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
  local sub="" i npos=0
  for ((i = 1; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
      create | examine | status | list) [[ -z $sub ]] && sub=${COMP_WORDS[i]} ;;
      activate | deactivate | monitor) [[ -z $sub ]] && sub=${COMP_WORDS[i]} ;;
      -*) ;;
      *) [[ -n $sub ]] && ((npos++)) ;;
    esac
  done

  case $prev in
    --region-size) COMPREPLY=($(compgen -W "64K 256K 1M 4M 16M 64M" -- "$cur")); return ;;
    --write-mostly) COMPREPLY=($(compgen -W "0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15" -- "$cur")); return ;;
    --events | --max-write-behind | --min-recovery-rate | --max-recovery-rate) return ;;
    --exec | --interval) return ;;
  esac

  if [[ $cur == -* || -z $sub ]]; then
    local words
    words=$(dmirrorctl __complete $sub 2>/dev/null) || words=$(_dmirrorctl_static "$sub")
    [[ -z $words ]] && words=$(_dmirrorctl_static "$sub")
    if [[ -z $sub && $cur != -* ]]; then
      words=$(printf '%s\n' $words | grep -v '^-')
    fi
    COMPREPLY=($(compgen -W "$words" -- "$cur" | sort -u))
    return
  fi

  # create: the first positional is the new array's name.
  [[ $sub == create && $npos -eq 0 ]] && return
  # deactivate and monitor take volume names: the active ones.
  if [[ $sub == deactivate || $sub == monitor ]]; then
    COMPREPLY=($(compgen -W "$(ls /dev/mapper 2>/dev/null | grep -v -e '^control$' -e '-kmeta[0-9]*$' -e '-data[0-9]*$')" -- "$cur"))
    return
  fi
  # Legs: block devices and files.
  COMPREPLY=($({ compgen -W "$(_dmirrorctl_block_devices)" -- "$cur"; compgen -f -- "$cur"; } | sort -u))
}

complete -o filenames -F _dmirrorctl dmirrorctl
