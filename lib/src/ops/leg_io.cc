// SPDX-License-Identifier: LGPL-2.1-or-later
// Chunk-level leg I/O for the offline operations (see leg_io.h).
#include "ops/leg_io.h"

#include "ops/lose_legs.h"

#include <algorithm>

namespace dmirror::ops {

Status read_leg_data(LegSet& set, uint32_t slot, uint64_t pos, std::span<std::byte> buf) {
  return set.dev(slot)->read(set.sb().layout.data_offset + pos, buf);
}

Result<uint32_t> read_from_any(LegSet& set, uint32_t src, uint64_t pos, std::span<std::byte> buf,
                               std::vector<uint32_t>& bad) {
  std::vector<uint32_t> order{src};
  for (uint32_t s : set.in_sync_slots()) if (s != src) order.push_back(s);
  std::optional<Error> last;
  for (uint32_t s : order) {
    if (!set.current_below(s, pos + buf.size())) continue;
    auto st = read_leg_data(set, s, pos, buf);
    if (st) return s;
    bad.push_back(s);
    last = st.error();
  }
  Error e = last ? *last : Error{ErrorCode::Io, 0, "no leg can serve the data"};
  e.message = "no in-sync leg could read " + std::to_string(pos) + "+" + std::to_string(buf.size()) + ": " + e.message;
  return std::unexpected(e);
}

void write_targets(LegSet& set, std::span<const uint32_t> targets, uint64_t pos, std::span<const std::byte> data,
                   std::vector<LegError>& errors) {
  for (uint32_t t : targets) {
    if (auto st = set.dev(t)->write(set.sb().layout.data_offset + pos, data); !st) errors.push_back({t, st.error()});
  }
}

void flush_targets(LegSet& set, std::span<const uint32_t> targets, std::vector<LegError>& errors) {
  for (uint32_t t : targets) {
    if (auto st = set.dev(t)->flush(); !st) errors.push_back({t, st.error()});
  }
}

Status settle_errors(LegSet& set, std::vector<LegError>& errors, std::vector<uint32_t>& targets,
                     std::vector<uint32_t>* failed) {
  if (errors.empty()) return ok();
  std::optional<Error> no_space = take_out_of_space(set, errors);
  std::vector<LegError> unique;
  for (auto& e : errors)
    if (std::none_of(unique.begin(), unique.end(), [&](const LegError& u) { return u.slot == e.slot; }))
      unique.push_back(e);
  errors.clear();
  Status st = unique.empty() ? ok() : set.fail_legs(unique);
  std::erase_if(targets, [&](uint32_t t) { return !set.writable(t); });
  if (failed)
    for (auto& e : unique) if (!set.writable(e.slot)) failed->push_back(e.slot);
  if (st && no_space) return std::unexpected(*no_space);
  return st;
}

}  // namespace dmirror::ops
