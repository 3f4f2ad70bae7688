// SPDX-License-Identifier: LGPL-2.1-or-later
// Watching every online volume (dm uuid prefix "DMIRROR-") for the events
// an operator must hear about. The kernel raises a dm event when dm-raid
// fails a leg and when a sync action ends (docs/kernel-facts.md §1.7); the monitor
// waits for any of them with DM_DEV_ARM_POLL + poll() on the control node,
// then lists the devices and looks at those whose event counter moved. A
// leg newly reported 'D' is recorded as failed in our superblocks (read and
// written through the leg devices with O_DIRECT) before it is reported,
// under the caller's array lock (WriterLock): while another command holds
// the array, the failure is reported as not recorded yet and recorded at a
// later scan, once the array is free (reported again then, `late`).
//
// A sync action is reported finished when the monitor saw it running, or
// when a look finds the volume idle with more legs in sync than the last
// one did (a rebuild that started and ended between two looks, or began
// after the monitor started: md raises a dm event when a sync ends, not
// when it starts). After a quiet interval every volume is looked at again.
#pragma once

#include <dmirror/dm/dm_control.h>
#include <dmirror/dm/raid_status.h>
#include <dmirror/export.h>
#include <dmirror/result.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
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
  bool late = false;                // LegFailed: reported before, recorded only now (the array was busy)
};

/// The array lock of volume `volume`, held as long as the returned handle
/// lives; an error (the array busy: another command writes its metadata)
/// defers the write.
using WriterLock = std::function<Result<std::shared_ptr<void>>(const std::string& volume)>;

class DMIRROR_EXPORT VolumeMonitor {
 public:
  /// `names`: watch only these volumes (empty: every dmirror volume).
  /// `lock`: taken around each metadata write (none when empty).
  VolumeMonitor(DmControl& dm, std::vector<std::string> names = {}, WriterLock lock = {});

  /// Looks at every watched volume now. The first call reports legs that
  /// are already failed (and records them); later calls report changes.
  Result<std::vector<MonitorEvent>> scan();
  /// Waits for the next dm event (at most `timeout`), then scans; after a
  /// timeout every volume is looked at (an empty result is normal).
  /// `wake_fd` readable (a stop asked for) ends the wait at once: Cancelled.
  Result<std::vector<MonitorEvent>> wait(std::chrono::milliseconds timeout, int wake_fd = -1);
  /// The volumes watched, as of the last scan.
  std::vector<std::string> volumes() const;

 private:
  struct Known {
    uint32_t event_nr = 0;
    std::string health;
    std::set<uint32_t> failed_slots;   // our slots the kernel held 'D' (positions move on a reload)
    SyncAction action = SyncAction::Idle;
  };
  Result<std::vector<MonitorEvent>> look(const std::string& name, const std::string& array_id, Known& k, bool first);
  Result<std::vector<MonitorEvent>> scan_all(bool every);
  // Records slot `slot` failed under the lock; the error when it could not.
  Result<bool> record(const std::string& name, uint32_t slot, std::string* leg_path);
  void record_deferred(std::vector<MonitorEvent>& out);
  // Our slot `slot` of volume `name` is not back in sync in the kernel.
  bool still_failed(const std::string& name, uint32_t slot);

  DmControl& dm_;
  std::vector<std::string> names_;
  WriterLock lock_;
  std::map<std::string, Known> known_;
  // Failures reported while the array was busy: (volume, slot) -> array id.
  std::map<std::pair<std::string, uint32_t>, std::string> deferred_;
  bool scanned_ = false;
};

/// Records slot `slot` of the live volume `name` as failed in our
/// superblocks (state failed, state_seq, a leg_failed event). A no-op when
/// it is already recorded (true), and for a slot that is no member the
/// live table holds (removed, unused, a spare: false): a failure seen
/// before a replace or a remove retired the slot never raises it back.
[[nodiscard]] DMIRROR_EXPORT Result<bool> record_leg_failure(DmControl& dm, const std::string& name, uint32_t slot,
                                                             std::string* leg_path = nullptr);

}  // namespace dmirror::dm
