// SPDX-License-Identifier: LGPL-2.1-or-later
// Watching every online volume (dm uuid prefix "DMIRROR-") for the events
// an operator must hear about. The kernel raises a dm event when dm-raid
// fails a leg and when a sync action ends (docs/kernel-facts.md §1.7); the monitor
// waits for any of them with DM_DEV_ARM_POLL + poll() on the control node,
// then lists the devices and looks at those whose event counter moved. A
// leg newly reported 'D' is recorded as failed in our superblocks (read and
// written through the leg devices with O_DIRECT) before it is reported.
#pragma once

#include <dmirror/dm/dm_control.h>
#include <dmirror/dm/raid_status.h>
#include <dmirror/export.h>
#include <dmirror/result.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace dmirror::dm {

enum class MonitorEventKind {
  LegFailed,     // a leg turned 'D'
  SyncFinished,  // a resync / recover / check / repair ended
  Appeared,      // a volume was activated
  Disappeared,   // a volume was deactivated
};
DMIRROR_EXPORT std::string_view monitor_event_name(MonitorEventKind k);  // "leg-failed", ...

struct MonitorEvent {
  MonitorEventKind kind = MonitorEventKind::LegFailed;
  std::string volume;
  std::string array_id;             // array uuid hex
  std::optional<uint32_t> slot;     // our slot (LegFailed)
  std::string leg;                  // the leg device (LegFailed)
  std::string detail;               // one line for the log
  bool recorded = false;            // LegFailed: our superblocks now say failed
};

class DMIRROR_EXPORT VolumeMonitor {
 public:
  /// `names`: watch only these volumes (empty: every dmirror volume).
  VolumeMonitor(DmControl& dm, std::vector<std::string> names = {});

  /// Looks at every watched volume now. The first call reports legs that
  /// are already failed (and records them); later calls report changes.
  Result<std::vector<MonitorEvent>> scan();
  /// Waits for the next dm event (at most `timeout`), then scans. An empty
  /// result after a timeout is normal.
  Result<std::vector<MonitorEvent>> wait(std::chrono::milliseconds timeout);

 private:
  struct Known {
    uint32_t event_nr = 0;
    std::string health;
    SyncAction action = SyncAction::Idle;
  };
  Result<std::vector<MonitorEvent>> look(const std::string& name, const std::string& array_id, Known& k, bool first);

  DmControl& dm_;
  std::vector<std::string> names_;
  std::map<std::string, Known> known_;
  bool scanned_ = false;
};

/// Records slot `slot` of the live volume `name` as failed in our
/// superblocks (state failed, state_seq, a leg_failed event). A no-op when
/// it is already recorded.
[[nodiscard]] DMIRROR_EXPORT Status record_leg_failure(DmControl& dm, const std::string& name, uint32_t slot,
                                                       std::string* leg_path = nullptr);

}  // namespace dmirror::dm
