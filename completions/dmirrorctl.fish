# SPDX-License-Identifier: LGPL-2.1-or-later
# fish completion for dmirrorctl (words as reported by `dmirrorctl __complete`).

function __dmirrorctl_block_devices
    for d in /sys/class/block/*
        echo /dev/(basename $d)
    end
end

set -l commands create examine status list
set -a commands activate deactivate monitor
complete -c dmirrorctl -f

# Global options
complete -c dmirrorctl -s h -l help -d 'Print help and exit'
complete -c dmirrorctl -l version -d 'Print the version and exit'
complete -c dmirrorctl -l json -d 'Print JSON (with output_version) instead of text'
complete -c dmirrorctl -s v -l verbose -d 'Show more detail'

# Subcommands
complete -c dmirrorctl -n "not __fish_seen_subcommand_from $commands" -a create -d 'Create a mirror'
complete -c dmirrorctl -n "not __fish_seen_subcommand_from $commands" -a examine -d 'Show the metadata of legs'
complete -c dmirrorctl -n "not __fish_seen_subcommand_from $commands" -a status -d 'Show the health of an array'
complete -c dmirrorctl -n "not __fish_seen_subcommand_from $commands" -a list -d 'List arrays on block devices and files'

# create
complete -c dmirrorctl -n '__fish_seen_subcommand_from create' -x -l region-size -a '64K 256K 1M 4M 16M 64M' -d 'Bytes per journal bit (power of two)'
complete -c dmirrorctl -n '__fish_seen_subcommand_from create' -l assume-clean -d 'Legs are identical: skip the initial resync'
complete -c dmirrorctl -n '__fish_seen_subcommand_from create' -l force -d 'Overwrite other signatures or dmirror metadata'
complete -c dmirrorctl -n '__fish_seen_subcommand_from create' -s y -l yes -d 'Do not ask for confirmation'
complete -c dmirrorctl -n '__fish_seen_subcommand_from create' -x -l write-mostly -a '0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15' -d 'Slot read only when needed'
complete -c dmirrorctl -n '__fish_seen_subcommand_from create' -x -l max-write-behind -d 'Writes outstanding to write-mostly legs'
complete -c dmirrorctl -n '__fish_seen_subcommand_from create' -x -l min-recovery-rate -d 'Minimum resync rate per leg per second'
complete -c dmirrorctl -n '__fish_seen_subcommand_from create' -x -l max-recovery-rate -d 'Maximum resync rate per leg per second'
complete -c dmirrorctl -n '__fish_seen_subcommand_from create' -l no-activate -d 'Only write the metadata'

complete -c dmirrorctl -n '__fish_seen_subcommand_from create' -l activate -d 'Fail, writing nothing, when device-mapper is missing'

# activate, deactivate, monitor (online volumes)
complete -c dmirrorctl -n "not __fish_seen_subcommand_from $commands" -a activate -d 'Bring an array online as /dev/mapper/NAME'
complete -c dmirrorctl -n "not __fish_seen_subcommand_from $commands" -a deactivate -d 'Take an online volume down cleanly'
complete -c dmirrorctl -n "not __fish_seen_subcommand_from $commands" -a monitor -d 'Watch online volumes, record failed legs'
complete -c dmirrorctl -n '__fish_seen_subcommand_from activate' -l degraded -d 'Start even though legs are missing'
complete -c dmirrorctl -n '__fish_seen_subcommand_from activate' -l force -d 'Include stale legs; they are rebuilt'
complete -c dmirrorctl -n '__fish_seen_subcommand_from activate' -F -a '(__dmirrorctl_block_devices)'
complete -c dmirrorctl -n '__fish_seen_subcommand_from deactivate monitor' -x -a '(ls /dev/mapper 2>/dev/null | string match -v control)'
complete -c dmirrorctl -n '__fish_seen_subcommand_from monitor' -l oneshot -d 'Look once and exit'
complete -c dmirrorctl -n '__fish_seen_subcommand_from monitor' -x -l exec -d 'Shell command run for every event'
complete -c dmirrorctl -n '__fish_seen_subcommand_from monitor' -l stderr -d 'Log to stderr instead of syslog'
complete -c dmirrorctl -n '__fish_seen_subcommand_from monitor' -x -l interval -d 'Seconds between full rescans'

# examine
complete -c dmirrorctl -n '__fish_seen_subcommand_from examine' -x -l events -d 'How many recent events to show'

# Legs: block devices and files
complete -c dmirrorctl -n "__fish_seen_subcommand_from create examine status" -F -a '(__dmirrorctl_block_devices)'
complete -c dmirrorctl -n '__fish_seen_subcommand_from list' -F
