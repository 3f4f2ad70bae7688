// SPDX-License-Identifier: LGPL-2.1-or-later
// The boot policy's reader, parser and writer (see boot_policy.h).
#include <dmirror/boot_policy.h>

#include "engine/leg_set.h"
#include "ops/resync_core.h"

#include <charconv>

namespace dmirror {

std::optional<uint32_t> degraded_timeout(const Superblock& sb) {
  if (!(sb.compat & feature::kCompatBootPolicy) || sb.degraded_timeout == 0) return kDefaultDegradedTimeout;
  if (sb.degraded_timeout == kDegradedTimeoutNever) return std::nullopt;
  return sb.degraded_timeout;
}

Result<uint32_t> parse_degraded_timeout(std::string_view text) {
  if (text == "never") return kDegradedTimeoutNever;
  if (text == "default") return 0u;
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || v == 0 || v >= kDegradedTimeoutNever)
    return make_error(ErrorCode::InvalidArgument,
                      "degraded timeout '" + std::string(text) +
                          "' is not valid: give the seconds boot waits for missing legs before activating the "
                          "array degraded (1 to 4294967294), 'never', or 'default' (" +
                          std::to_string(kDefaultDegradedTimeout) + " s)");
  return static_cast<uint32_t>(v);
}

std::string degraded_timeout_text(uint32_t raw) {
  if (raw == kDegradedTimeoutNever) return "never";
  if (raw == 0) return std::to_string(kDefaultDegradedTimeout) + " s (default)";
  return std::to_string(raw) + " s";
}

Result<Superblock> set_degraded_timeout(std::span<BlockDevice* const> legs, uint32_t raw, bool allow_degraded) {
  DMIRROR_ASSIGN_OR_RETURN(auto set, engine::LegSet::assemble(legs));
  Superblock& sb = set.mutable_sb();
  if (sb.has_flag(sbflag::kKernelOwnsSync))
    return make_error(ErrorCode::Busy, "array '" + sb.name +
                                           "' is active as an online volume; deactivate it before changing its "
                                           "degraded timeout");
  if (set.writable_slots().empty())
    return make_error(ErrorCode::Stale, "array '" + sb.name + "' has no leg that can take the update");
  set.set_consent(allow_degraded, kNoSlot, "changing the degraded timeout");
  DMIRROR_RETURN_IF_ERROR(set.check_consent());
  // As clear_counters: a commit would record an absent in-sync leg missing,
  // taking it out of the vote that settles an unclean array (rule 21).
  DMIRROR_RETURN_IF_ERROR(ops::check_vote_possible(set, ResyncOptions{}));
  sb.compat |= feature::kCompatBootPolicy;
  sb.degraded_timeout = raw;
  DMIRROR_RETURN_IF_ERROR(set.commit());
  return set.sb();
}

}  // namespace dmirror
