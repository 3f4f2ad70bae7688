// SPDX-License-Identifier: LGPL-2.1-or-later
// OnlineRebuildWait (online_wait.h).
#include "online_wait.h"

#include "array_lock_cli.h"
#include "stop_signal.h"

#include <dmirror/dm/online/active_volume.h>

#include <unistd.h>

namespace dmirror::cli {
std::optional<int> OnlineRebuildWait::begin(const Context& ctx, const std::string& name, const std::string& new_dev,
                                            const std::string& what) {
  auto control = dm::open_online_control();
  if (!control) return report_error(ctx, "cannot " + what + " '" + name + "'", control.error());
  control_ = std::move(*control);
  auto held = lock_active_volume(*control_, name, {LockTarget{.path = new_dev}});
  if (!held) return report_error(ctx, "cannot lock the array", held.error());
  lock_ = std::move(*held);
  cancel_ = stop_on_signals();
  showing_ = !ctx.json && ::isatty(STDERR_FILENO);
  return std::nullopt;
}

const std::atomic<bool>* OnlineRebuildWait::cancel() const { return cancel_; }

std::function<void(const dm::RaidStatus&)> OnlineRebuildWait::progress() {
  if (!showing_) return {};
  return [this](const dm::RaidStatus& s) { line_.update(s); };
}

void OnlineRebuildWait::finish() {
  if (showing_) line_.finish();
}

}  // namespace dmirror::cli
