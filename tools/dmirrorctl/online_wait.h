// SPDX-License-Identifier: LGPL-2.1-or-later
// What an online `add` and `replace` do before the kernel rebuilds a new
// leg and while they wait for it: the active volume's array lock (with the
// new device), SIGINT/SIGTERM stop the wait (the kernel goes on rebuilding;
// the same command run again finishes it), and the kernel's progress on a
// terminal (not with --json).
#pragma once

#include "online_progress.h"
#include "output.h"

#include <dmirror/array_lock.h>
#include <dmirror/dm/dm_control.h>
#include <dmirror/dm/raid_status.h>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace dmirror::cli {

class OnlineRebuildWait {
 public:
  // Opens device-mapper and takes the lock of volume `name` with `new_dev`;
  // `what` names the operation in a failure ("add a leg to"). nullopt when
  // ready; else the exit status of the failure it reported.
  std::optional<int> begin(const Context& ctx, const std::string& name, const std::string& new_dev,
                           const std::string& what);
  dm::DmControl& control() { return *control_; }
  // For the online options: the stop flag the signals set, and the progress
  // line's update (empty off a terminal and with --json).
  const std::atomic<bool>* cancel() const;
  std::function<void(const dm::RaidStatus&)> progress();
  // Ends the progress line (once the operation returned).
  void finish();

 private:
  std::unique_ptr<dm::DmControl> control_;
  std::optional<ArrayLock> lock_;
  OnlineProgress line_{/*with_legs=*/true};
  bool showing_ = false;
  const std::atomic<bool>* cancel_ = nullptr;
};

}  // namespace dmirror::cli
