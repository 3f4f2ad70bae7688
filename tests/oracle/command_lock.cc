// SPDX-License-Identifier: LGPL-2.1-or-later
#include "oracle/command_lock.h"

#ifdef DMIRROR_ORACLE_ARRAY_LOCK
#include <dmirror/array_lock.h>
#endif

#include <optional>

namespace dmirror::oracle {

struct CommandLock::Held {
#ifdef DMIRROR_ORACLE_ARRAY_LOCK
  std::optional<ArrayLock> lock;
#endif
};

CommandLock::CommandLock() : held_(std::make_unique<Held>()) {}
CommandLock::CommandLock(CommandLock&&) noexcept = default;
CommandLock& CommandLock::operator=(CommandLock&&) noexcept = default;
CommandLock::~CommandLock() = default;

Result<CommandLock> CommandLock::acquire(std::span<BlockDevice* const> legs, const std::string& dir) {
  CommandLock c;
#ifdef DMIRROR_ORACLE_ARRAY_LOCK
  ArrayLockOptions o;
  o.dir = dir;
  o.holder = "oracle";
  o.wait_ms = 100;
  auto l = ArrayLock::acquire_legs(legs, o);
  if (!l) return std::unexpected(l.error());
  c.held_->lock.emplace(std::move(*l));
#else
  (void)legs;
  (void)dir;
#endif
  return c;
}

}  // namespace dmirror::oracle
