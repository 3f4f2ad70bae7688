// SPDX-License-Identifier: LGPL-2.1-or-later
// Bringing up one planned dm device (create, load, resume) with a rollback
// that removes, newest first, every device created so far unless the whole
// activation is committed. Shared by volume activation and online reloads.
#pragma once

#include <dmirror/dm/dm_control.h>
#include <dmirror/dm/volume_mapping.h>

#include <span>
#include <string>
#include <vector>

namespace dmirror::dm::detail {

class Rollback {
 public:
  explicit Rollback(DmControl& dm) : dm_(dm) {}
  ~Rollback();
  Rollback(const Rollback&) = delete;
  Rollback& operator=(const Rollback&) = delete;
  void add(std::string name) { created_.push_back(std::move(name)); }
  void commit() { committed_ = true; }

 private:
  DmControl& dm_;
  std::vector<std::string> created_;
  bool committed_ = false;
};

// Creates `d`, loads `table` and resumes it; the device joins `rollback`.
Result<DeviceInfo> bring_up_device(DmControl& dm, Rollback& rollback, const PlannedDevice& d,
                                   std::span<const TargetLine> table, const LoadOptions& load = {});

}  // namespace dmirror::dm::detail
