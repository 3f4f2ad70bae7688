// SPDX-License-Identifier: LGPL-2.1-or-later
// How dmirrorctl shows online volumes: the live section of `status`, and
// the results of activate / deactivate / online scrub, as text or JSON.
#pragma once

#include "output.h"

#include <dmirror/dm/online/activate_array.h>
#include <dmirror/dm/online/deactivate_array.h>
#include <dmirror/dm/online/online_scrub.h>
#include <dmirror/dm/online/online_status.h>
#include <dmirror/assembly.h>
#include <dmirror/superblock.h>

#include <optional>

namespace dmirror::cli {

/// The live status of the array when a dm device of it exists; nullopt
/// when none exists or device-mapper is not available.
std::optional<dm::OnlineStatus> probe_online(const Superblock& sb);
/// The kernel owns the sync state while the volume is active: its failed
/// and missing legs folded into the assembly (apply_kernel_state).
void fold_online(Assembly& a, const dm::OnlineStatus& st);
/// Exit bits of a live volume: 2 when a leg is not 'A' or a sync action
/// runs, 4 when the last check found mismatches.
int online_exit_bits(const dm::OnlineStatus& st);
/// `status` of an active array: the kernel owns sync state, so the degraded
/// bit comes from the live status; damage found offline still counts.
int status_exit_bits_online(const Assembly& a, const dm::OnlineStatus& st);
void print_online_text(const dm::OnlineStatus& st, const Superblock& sb);
Json online_json(const dm::OnlineStatus& st, const Superblock& sb);

Json raid_status_json(const dm::RaidStatus& st);
void print_activated(const Context& ctx, const dm::ActivateReport& rep, const Superblock& sb);
/// A change command's warning (exit_codes.h): the volume was started or
/// left degraded.
void warn_if_missing(const dm::ActivateReport& rep, const Superblock& sb);
bool warn_if_degraded(const dm::DeactivateReport& rep);
void print_deactivated(const Context& ctx, const dm::DeactivateReport& rep);
void print_online_scrub(const Context& ctx, const dm::OnlineScrubReport& rep, bool repair, int exit_bits);

}  // namespace dmirror::cli
