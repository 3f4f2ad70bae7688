# SPDX-License-Identifier: LGPL-2.1-or-later
# fish completion for dmirrorctl. Array names come from the binary
# (`dmirrorctl __complete --arrays`: superblocks on the block devices and
# active volumes), and so do the slots and legs of the array on the command
# line (`--legs`), the active volumes (`--active`) and the block devices
# create may use (`--free-devices`); the options below are checked against
# the parser (`dmirrorctl __complete CMD`) by the test suite.

function __dmirrorctl_block_devices
    for d in /sys/class/block/*
        echo /dev/(basename $d)
    end
end

function __dmirrorctl_arrays
    dmirrorctl __complete --arrays 2>/dev/null
end

# The positional words before the cursor (after the command, and io's read
# or write), without the options and their values.
function __dmirrorctl_positional
    set -l tokens (commandline -opc)
    set -e tokens[1]
    while set -q tokens[1]; and string match -q -- '-*' $tokens[1]
        set -e tokens[1]
    end
    set -q tokens[1]; or return
    set -l cmd $tokens[1]
    set -e tokens[1]
    if test "$cmd" = io; and set -q tokens[1]
        set cmd io $tokens[1]
        set -e tokens[1]
    end
    set -l values (dmirrorctl __complete --values $cmd 2>/dev/null)
    set -l skip 0
    for t in $tokens
        if test $skip = 1
            set skip 0
            continue
        end
        if string match -q -- '-*' $t
            contains -- $t $values; and set skip 1
            continue
        end
        echo $t
    end
end

# The slots and legs of the array the command line names ("0<TAB>a.img (in_sync)").
function __dmirrorctl_array_legs
    set -l words (__dmirrorctl_positional)
    set -q words[1]; or return
    dmirrorctl __complete --legs $words 2>/dev/null
end

# create --write-mostly: the slots of the legs given after the name.
function __dmirrorctl_new_slots
    set -l words (__dmirrorctl_positional)
    for i in (seq 2 (count $words))
        printf '%s\t%s\n' (math $i - 2) $words[$i]
    end
end

# Block devices create may use: no signature, not in use.
function __dmirrorctl_free_devices
    dmirrorctl __complete --free-devices 2>/dev/null
end

# New legs: those block devices, and image files (not the other files of /dev).
function __dmirrorctl_free_legs
    __dmirrorctl_free_devices
    __fish_complete_path (commandline -ct) | string match -v -- '/dev/*'
end

function __dmirrorctl_active
    dmirrorctl __complete --active 2>/dev/null
end

set -l commands help create examine status list resync verify scrub clear replace add remove split merge rejoin set io activate deactivate monitor wipe
complete -c dmirrorctl -f

# Global options
complete -c dmirrorctl -s h -l help -d 'Print help and exit'
complete -c dmirrorctl -s V -l version -d 'Print the version and exit'
complete -c dmirrorctl -l json -d 'Print JSON (with output_version) instead of text'
complete -c dmirrorctl -s v -l verbose -d 'Show more detail'

# Commands
set -l nocmd "not __fish_seen_subcommand_from $commands"
complete -c dmirrorctl -n $nocmd -a help -d 'Show the help of dmirrorctl or of a command'
complete -c dmirrorctl -n '__fish_seen_subcommand_from help; and test (count (commandline -opc)) -eq 2' -a '(dmirrorctl __complete help 2>/dev/null | string match -v help)'
complete -c dmirrorctl -n $nocmd -a create -d 'Create a mirror'
complete -c dmirrorctl -n $nocmd -a examine -d 'Show the metadata of legs'
complete -c dmirrorctl -n $nocmd -a status -d 'Show the health of an array'
complete -c dmirrorctl -n $nocmd -a list -d 'List arrays on block devices and files'
complete -c dmirrorctl -n $nocmd -a resync -d 'Bring legs and regions back in sync'
complete -c dmirrorctl -n $nocmd -a verify -d 'Check metadata and compare the legs'
complete -c dmirrorctl -n $nocmd -a scrub -d 'Compare every region, heal read errors, repair with evidence'
complete -c dmirrorctl -n $nocmd -a clear -d 'Zero the per-leg error counters'
complete -c dmirrorctl -n $nocmd -a replace -d 'Replace a leg by a new device'
complete -c dmirrorctl -n $nocmd -a add -d 'Add a leg: join, copy, verify'
complete -c dmirrorctl -n $nocmd -a remove -d 'Remove a leg (never the last in-sync one)'
complete -c dmirrorctl -n $nocmd -a split -d 'Split an in-sync leg off as an array of its own, tracking changes'
complete -c dmirrorctl -n $nocmd -a merge -d 'Merge a split-off leg back, copying only the changed regions'
complete -c dmirrorctl -n $nocmd -a set -d 'Change write-mostly legs and recovery rates (online too)'
complete -c dmirrorctl -n $nocmd -a wipe -d 'Remove dmirror metadata from legs no longer wanted'
complete -c dmirrorctl -n $nocmd -a io -d 'Write or read through the mirror engine'
complete -c dmirrorctl -n $nocmd -a activate -d 'Bring an array online'
complete -c dmirrorctl -n $nocmd -a deactivate -d 'Take an online volume down'
complete -c dmirrorctl -n $nocmd -a monitor -d 'Watch online volumes'

# create
set -l c '__fish_seen_subcommand_from create'
complete -c dmirrorctl -n $c -x -l region-size -a '64K 256K 1M 4M 16M 64M' -d 'Bytes per journal bit (power of two)'
complete -c dmirrorctl -n $c -l assume-clean -d 'Legs are identical: skip the initial resync'
complete -c dmirrorctl -n $c -l force -d 'Overwrite other signatures or dmirror metadata'
complete -c dmirrorctl -n $c -s y -l yes -d 'Do not ask for confirmation'
complete -c dmirrorctl -n $c -x -l write-mostly -a '(__dmirrorctl_new_slots)' -d 'Slot read only when needed'
complete -c dmirrorctl -n $c -x -l max-write-behind -d 'Writes outstanding to write-mostly legs'
complete -c dmirrorctl -n $c -x -l min-recovery-rate -d 'Minimum resync rate per leg per second'
complete -c dmirrorctl -n $c -x -l max-recovery-rate -d 'Maximum resync rate per leg per second'
complete -c dmirrorctl -n $c -x -l degraded-timeout -a '30 60 120 never default' -d 'Seconds boot waits before activating degraded'
complete -c dmirrorctl -n $c -l no-activate -d 'Only write the metadata'
complete -c dmirrorctl -n $c -l activate -d 'Fail, writing nothing, without device-mapper'

# examine
complete -c dmirrorctl -n '__fish_seen_subcommand_from examine' -x -l events -d 'How many recent events to show'

# resync, verify
complete -c dmirrorctl -n '__fish_seen_subcommand_from resync' -l full -d 'Copy everything, not only dirty regions'
complete -c dmirrorctl -n '__fish_seen_subcommand_from resync' -l re-add -d 'Also bring back failed legs that are present again (full copy)'
complete -c dmirrorctl -n '__fish_seen_subcommand_from resync' -l force -d 'Raise the freshest stale or failed leg when none is in sync (last resort)'
complete -c dmirrorctl -n '__fish_seen_subcommand_from resync' -l degraded -d 'Settle an unclean array with an in-sync leg absent, without the vote'
complete -c dmirrorctl -n '__fish_seen_subcommand_from resync' -x -l max-rate -a '10M 50M 100M 200M 500M' -d 'Bytes per second'
complete -c dmirrorctl -n '__fish_seen_subcommand_from resync verify scrub' -x -l from -a '(__dmirrorctl_array_legs)' -d 'The leg whose data wins'
complete -c dmirrorctl -n '__fish_seen_subcommand_from verify' -l quick -d 'Metadata and journal-dirty regions only'
complete -c dmirrorctl -n '__fish_seen_subcommand_from verify' -l repair -d 'Repair the mismatches found'
complete -c dmirrorctl -n '__fish_seen_subcommand_from verify' -r -F -l report -d 'Write the mismatch report (JSON) to FILE'
complete -c dmirrorctl -n '__fish_seen_subcommand_from verify' -l degraded -d 'Go on with a leg missing (recorded missing)'

# scrub
set -l s '__fish_seen_subcommand_from scrub'
complete -c dmirrorctl -n $s -l check-only -d 'Report mismatches without repairing any'
complete -c dmirrorctl -n $s -x -l max-rate -a '10M 50M 100M 200M 500M' -d 'Bytes per second'
complete -c dmirrorctl -n $s -r -F -l rate-file -d 'Re-read the rate limit from FILE'
complete -c dmirrorctl -n $s -l restart -d 'Start over instead of resuming'
complete -c dmirrorctl -n $s -x -l max-runtime -a '30m 1h 2h 6h 12h 1d' -d 'Stop after DURATION, checkpoint kept'
complete -c dmirrorctl -n $s -l continue -d 'Only resume a scrub in progress'
complete -c dmirrorctl -n $s -s q -l quiet -d 'Print only what needs a look'
complete -c dmirrorctl -n $s -x -l lock-dir -a '(__fish_complete_directories)' -d 'Directory of the scrub lock files'
complete -c dmirrorctl -n $s -l degraded -d 'Go on with a leg missing (recorded missing)'

# wipe
complete -c dmirrorctl -n '__fish_seen_subcommand_from wipe' -l force -d 'Wipe a leg that still holds its array data'
complete -c dmirrorctl -n '__fish_seen_subcommand_from wipe' -l with -r -F -d 'A current leg of the array to judge by (read only)'

# clear
complete -c dmirrorctl -n '__fish_seen_subcommand_from clear' -x -l leg -a '(__dmirrorctl_array_legs)' -d 'Only this leg (slot or path)'
complete -c dmirrorctl -n '__fish_seen_subcommand_from clear' -l degraded -d 'Clear even though a leg is missing'

# add, remove
complete -c dmirrorctl -n '__fish_seen_subcommand_from add' -x -l new -a '(__dmirrorctl_free_legs)' -d 'The new device'
complete -c dmirrorctl -n '__fish_seen_subcommand_from add' -l force -d 'Accept a device with foreign signatures'
complete -c dmirrorctl -n '__fish_seen_subcommand_from add' -x -l max-rate -d 'Bytes per second of the copy'
complete -c dmirrorctl -n '__fish_seen_subcommand_from add' -l degraded -d 'Go on with a leg missing (recorded missing)'
complete -c dmirrorctl -n '__fish_seen_subcommand_from add' -l spare -d 'Keep the device as a spare (no data)'
complete -c dmirrorctl -n '__fish_seen_subcommand_from remove' -x -l leg -a '(__dmirrorctl_array_legs)' -d 'The leg to remove'
complete -c dmirrorctl -n '__fish_seen_subcommand_from remove' -l force -d 'Allow leaving a single in-sync leg'
complete -c dmirrorctl -n '__fish_seen_subcommand_from remove' -l degraded -d 'Go on with a leg missing (recorded missing)'
complete -c dmirrorctl -n '__fish_seen_subcommand_from split' -x -l leg -a '(__dmirrorctl_array_legs)' -d 'The leg to split off'
complete -c dmirrorctl -n '__fish_seen_subcommand_from split' -x -l name -d 'The name of the new array'
complete -c dmirrorctl -n '__fish_seen_subcommand_from split' -l force -d 'Allow leaving a single in-sync leg'
complete -c dmirrorctl -n '__fish_seen_subcommand_from split merge rejoin' -l degraded -d 'Go on with a leg missing (recorded missing)'
# set
set -l st '__fish_seen_subcommand_from set'
complete -c dmirrorctl -n $st -x -l write-mostly -a '(__dmirrorctl_array_legs)' -d 'Mark this leg write-mostly'
complete -c dmirrorctl -n $st -x -l no-write-mostly -a '(__dmirrorctl_array_legs)' -d 'Serve reads from this leg again'
complete -c dmirrorctl -n $st -x -l min-recovery-rate -a '0 1M 10M 50M' -d 'Minimum resync rate per leg per second (0: default)'
complete -c dmirrorctl -n $st -x -l max-recovery-rate -a '0 10M 50M 100M 200M' -d 'Maximum resync rate per leg per second (0: default)'
complete -c dmirrorctl -n $st -x -l spare-takeover -a 'auto off' -d 'Whether the monitor replaces a failed leg by a spare'
complete -c dmirrorctl -n $st -x -l degraded-timeout -a '30 60 120 never default' -d 'Seconds boot waits before activating degraded'
complete -c dmirrorctl -n $st -l degraded -d 'Offline: go on with a leg missing (recorded missing)'
# replace
complete -c dmirrorctl -n '__fish_seen_subcommand_from replace' -x -l old -a '(__dmirrorctl_array_legs)' -d 'The leg to replace'
complete -c dmirrorctl -n '__fish_seen_subcommand_from replace' -x -l new -a '(__dmirrorctl_free_legs)' -d 'The new device'
complete -c dmirrorctl -n '__fish_seen_subcommand_from replace' -l force -d 'Accept a device with foreign signatures'
complete -c dmirrorctl -n '__fish_seen_subcommand_from replace' -l degraded -d 'Go on with a leg missing (recorded missing)'

# io read|write
complete -c dmirrorctl -n '__fish_seen_subcommand_from io; and not __fish_seen_subcommand_from read write' -a 'write read'
complete -c dmirrorctl -n '__fish_seen_subcommand_from io' -x -l offset -d 'Byte offset in the volume'
complete -c dmirrorctl -n '__fish_seen_subcommand_from write' -r -F -l from -d 'The data to write'
complete -c dmirrorctl -n '__fish_seen_subcommand_from write' -l no-close -d 'Leave the array open (dirty)'
complete -c dmirrorctl -n '__fish_seen_subcommand_from write' -l degraded -d 'Write even though a leg is missing'
complete -c dmirrorctl -n '__fish_seen_subcommand_from read' -x -l length -d 'Bytes to read'
complete -c dmirrorctl -n '__fish_seen_subcommand_from read' -r -F -l to -d 'File to write the data to'
complete -c dmirrorctl -n '__fish_seen_subcommand_from read' -x -l prefer -a '(__dmirrorctl_array_legs | string match -r "^[0-9].*")' -d 'Read from this slot first'
complete -c dmirrorctl -n '__fish_seen_subcommand_from read' -l heal -d 'Rewrite blocks a leg cannot read'
complete -c dmirrorctl -n '__fish_seen_subcommand_from read' -l degraded -d 'With --heal: open even though a leg is missing'

# activate
set -l a '__fish_seen_subcommand_from activate'
complete -c dmirrorctl -n $a -l degraded -d 'Start even though legs are missing'
complete -c dmirrorctl -n $a -x -l from -a '(__dmirrorctl_array_legs)' -d 'In a split brain, the leg whose data is kept'
complete -c dmirrorctl -n $a -l re-add -d 'Rebuild a present failed leg by a full copy'
complete -c dmirrorctl -n $a -l force -d 'Raise the freshest stale or failed leg when none is in sync'
complete -c dmirrorctl -n $a -l incremental -d 'Record one leg; activate when all are present'
complete -c dmirrorctl -n $a -l last-resort -d 'Activate array UUID degraded from the recorded legs'
complete -c dmirrorctl -n $a -x -l run-dir -a '(__fish_complete_directories)' -d 'Where --incremental records legs'

# monitor
set -l m '__fish_seen_subcommand_from monitor'
complete -c dmirrorctl -n $m -l oneshot -d 'Look once and exit'
complete -c dmirrorctl -n $m -x -l exec -a '(__fish_complete_command)' -d 'Shell command run for every event'
complete -c dmirrorctl -n $m -l stderr -d 'Log to stderr instead of syslog'
complete -c dmirrorctl -n $m -x -l interval -d 'Seconds between full rescans'
complete -c dmirrorctl -n $m -l no-spares -d 'Do not replace a failed leg by a spare'

# Positionals: array names (from the binary), legs (block devices, files),
# active volumes; create's legs: the block devices without a signature
complete -c dmirrorctl -n '__fish_seen_subcommand_from status resync verify scrub replace add remove split merge rejoin set read write activate' -a '(__dmirrorctl_arrays)' -d 'Array'
complete -c dmirrorctl -n '__fish_seen_subcommand_from examine status resync verify scrub replace add remove split merge rejoin set read write activate wipe' -F -a '(__dmirrorctl_block_devices)'
complete -c dmirrorctl -n '__fish_seen_subcommand_from create; and test (count (__dmirrorctl_positional)) -ge 1' -a '(__dmirrorctl_free_legs)'
complete -c dmirrorctl -n '__fish_seen_subcommand_from deactivate monitor' -a '(__dmirrorctl_active)'
complete -c dmirrorctl -n '__fish_seen_subcommand_from list' -F
