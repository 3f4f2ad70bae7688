// SPDX-License-Identifier: LGPL-2.1-or-later
// online_settings(): reload, read back, commit (see online_settings.h).
#include <dmirror/dm/online/online_settings.h>

#include <dmirror/dm/online/handoff.h>
#include <dmirror/dm/online/live_volume.h>
#include <dmirror/dm/online/volume_table.h>
#include <dmirror/dm/volume.h>

#include <algorithm>

namespace dmirror::dm {
namespace {

VolumeMapping mapping_of(const Superblock& sb, const LiveVolume& v) {
  return volume_mapping_for(sb, kernel_slot_map(sb), v.devs, TableChoices{});
}

// The table as it was given, with no `rebuild` (every rebuild of an active
// volume is past its REBUILD_PASSED commit: the kernel tracks it).
Status reload(DmControl& dm, const LiveVolume& v, const Superblock& sb) {
  const KernelSlotMap map = kernel_slot_map(sb);
  VolumeMapping mapping = mapping_of(sb, v);
  DMIRROR_ASSIGN_OR_RETURN(DevicePlan plan, plan_array_volume(mapping, map));
  return reload_volume(dm, mapping, plan);
}

// The live table shows exactly the options `sb` asks for.
Status check_live(const VolumeMapping& want, const Raid1Params& live) {
  std::vector<uint32_t> wm = live.write_mostly, want_wm = want.options.write_mostly;
  std::sort(wm.begin(), wm.end());
  std::sort(want_wm.begin(), want_wm.end());
  auto text = [](const std::vector<uint32_t>& v) {
    std::string s;
    for (uint32_t x : v) s += (s.empty() ? "" : ",") + std::to_string(x);
    return s.empty() ? std::string("none") : s;
  };
  if (wm != want_wm)
    return make_error(ErrorCode::Internal, "the live table has write_mostly positions " + text(wm) + ", not " +
                                               text(want_wm));
  if (live.min_recovery_rate != want.options.min_recovery_rate ||
      live.max_recovery_rate != want.options.max_recovery_rate)
    return make_error(ErrorCode::Internal, "the live table has recovery rates " +
                                               std::to_string(live.min_recovery_rate.value_or(0)) + "/" +
                                               std::to_string(live.max_recovery_rate.value_or(0)) +
                                               " KiB/s (min/max), not the ones given");
  return ok();
}

}  // namespace

Result<OnlineSettingsReport> online_settings(DmControl& dm, const std::string& name, const SettingsChange& change) {
  DMIRROR_ASSIGN_OR_RETURN(LiveVolume v, open_live_volume(dm, name));
  OnlineSettingsReport rep;
  rep.before = v.legs.sb();
  Superblock next = v.legs.sb();
  DMIRROR_ASSIGN_OR_RETURN(rep.changes, apply_settings(next, change));
  DMIRROR_ASSIGN_OR_RETURN(VolumeStatus now, query(dm, name));
  if (rep.changes.empty()) {
    rep.sb = v.legs.sb();
    rep.table = now.table;
    rep.status = now.raid;
    return rep;
  }
  // Only our own settings (spare policy, degraded timeout): the live table
  // carries none of them, so no reload; one commit of our superblock.
  const bool table_same = next.kernel.min_recovery_rate == v.legs.sb().kernel.min_recovery_rate &&
                          next.kernel.max_recovery_rate == v.legs.sb().kernel.max_recovery_rate &&
                          std::equal(next.legs.begin(), next.legs.end(), v.legs.sb().legs.begin(),
                                     [](const LegEntry& x, const LegEntry& y) { return x.flags == y.flags; });
  if (table_same) {
    Superblock& sb = v.legs.edit();
    copy_settings(next, sb);
    if (Status st = v.legs.commit(); !st) {
      copy_settings(rep.before, sb);
      return make_error(st.error().code, "the settings were not changed: " + st.error().message);
    }
    rep.sb = v.legs.sb();
    rep.table = now.table;
    rep.status = now.raid;
    return rep;
  }
  if (now.raid.action == SyncAction::Check || now.raid.action == SyncAction::Repair)
    return make_error(ErrorCode::Busy, "volume '" + name + "' is running a '" + now.raid.action_text +
                                           "' (scrub), which a table reload would end; wait until it is idle, "
                                           "then change the settings");
  DMIRROR_RETURN_IF_ERROR(reload(dm, v, next));
  DMIRROR_ASSIGN_OR_RETURN(VolumeStatus after, query(dm, name));
  Status live = check_live(mapping_of(next, v), after.table);
  if (live) {
    Superblock& sb = v.legs.edit();
    copy_settings(next, sb);
    live = v.legs.commit();
    if (!live) copy_settings(rep.before, sb);
  }
  if (!live) {
    // Back to the table our superblocks describe.
    (void)reload(dm, v, rep.before);
    return make_error(live.error().code, "the settings were not changed (the previous table is live again): " +
                                              live.error().message);
  }
  rep.sb = v.legs.sb();
  rep.table = after.table;
  rep.status = after.raid;
  return rep;
}

}  // namespace dmirror::dm
