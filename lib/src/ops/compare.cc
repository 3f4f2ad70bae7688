// SPDX-License-Identifier: LGPL-2.1-or-later
// Chunk comparison, source choice, location and classification of
// mismatches (see compare.h).
#include "ops/compare.h"

#include <dmirror/crc32c.h>

#include <algorithm>
#include <cstring>

namespace dmirror::ops {

Comparator::Comparator(engine::LegSet& set, uint64_t chunk_bytes)
    : set_(set), chunk_(std::min(std::max<uint64_t>(chunk_bytes, 4096), set.sb().region_size)) {}

std::optional<Mismatch> Comparator::compare(const Chunk& c, std::span<const uint32_t> slots,
                                            const RepairChoice& choice) {
  cur_ = &c;
  const uint64_t pos = c.pos, len = c.len;
  // Group the legs by content.
  std::vector<std::vector<uint32_t>> groups;
  for (uint32_t s : slots) {
    bool placed = false;
    for (auto& g : groups)
      if (std::memcmp(c.data(g.front()), c.data(s), len) == 0) {
        g.push_back(s);
        placed = true;
        break;
      }
    if (!placed) groups.push_back({s});
  }
  if (groups.size() <= 1) return std::nullopt;

  Mismatch m;
  const uint64_t rs = set_.sb().region_size;
  m.region = pos / rs;
  const bool dirty = set_.journals_loaded() && set_.is_dirty(m.region);
  auto biggest = std::max_element(groups.begin(), groups.end(), [](auto& a, auto& b) { return a.size() < b.size(); });
  if (choice.from_slot != kNoSlot && std::find(slots.begin(), slots.end(), choice.from_slot) != slots.end()) {
    m.source_slot = choice.from_slot;
    m.source_reason = "chosen by the operator (--from " + std::to_string(choice.from_slot) + ")";
  } else if (biggest->size() * 2 > slots.size()) {
    m.source_slot = biggest->front();
    m.source_reason = "majority (" + std::to_string(biggest->size()) + " of " + std::to_string(slots.size()) + " legs)";
  } else {
    m.source_slot = *std::min_element(slots.begin(), slots.end());
    m.source_reason = dirty ? "region dirty in the journal: either copy is valid; lowest in-sync slot"
                            : "default: lowest in-sync slot (no majority; use --from to choose)";
  }
  const std::byte* src = c.data(m.source_slot);
  uint64_t first = len, last = 0;
  for (uint32_t s : slots) {
    const std::byte* d = c.data(s);
    if (std::memcmp(d, src, len) == 0) {
      m.agree.push_back(s);
      continue;
    }
    m.differ.push_back(s);
    uint64_t i = 0;
    while (i < len && d[i] == src[i]) ++i;
    uint64_t j = len;
    while (j > i && d[j - 1] == src[j - 1]) --j;
    first = std::min(first, i);
    last = std::max(last, j);
  }
  first = first / 512 * 512;
  last = std::min<uint64_t>((last + 511) / 512 * 512, len);
  m.offset = pos + first;
  m.length = last - first;
  for (uint32_t s : slots)
    m.digests.push_back({s, crc32c(std::span<const std::byte>(c.data(s) + first, m.length))});
  m.cls = dirty ? MismatchClass::CrashWindow : classify(m, slots, pos);
  return m;
}

MismatchClass Comparator::classify(const Mismatch& m, std::span<const uint32_t> slots, uint64_t pos) const {
  const Superblock& sb = set_.sb();
  if (m.offset + m.length > sb.resync_offset) return MismatchClass::NeverSynced;
  if (sb.has_flag(sbflag::kAssumeClean)) {
    // One side still holds what was there before creation: all zeros.
    for (uint32_t s : slots) {
      const std::byte* d = cur_->data(s) + (m.offset - pos);
      if (std::all_of(d, d + m.length, [](std::byte b) { return b == std::byte{0}; })) return MismatchClass::NeverSynced;
    }
  }
  return MismatchClass::Corruption;
}

void Comparator::repair(const Mismatch& m, std::vector<engine::LegError>& errors) {
  std::span<const std::byte> data(cur_->data(m.source_slot) + (m.offset - cur_->pos), m.length);
  for (uint32_t s : m.differ)
    if (auto st = set_.dev(s)->write(set_.sb().layout.data_offset + m.offset, data); !st) errors.push_back({s, st.error()});
}

}  // namespace dmirror::ops

namespace dmirror {

std::string_view mismatch_class_name(MismatchClass c) {
  switch (c) {
    case MismatchClass::CrashWindow: return "crash-window";
    case MismatchClass::NeverSynced: return "never-synced";
    case MismatchClass::Corruption: return "corruption";
  }
  return "?";
}

Finding mismatch_finding(const Mismatch& m) {
  auto list = [](const std::vector<uint32_t>& v) {
    std::string s;
    for (uint32_t x : v) s += (s.empty() ? "" : ",") + std::to_string(x);
    return s;
  };
  Finding f;
  f.code = "data-mismatch-" + std::string(mismatch_class_name(m.cls));
  f.severity = m.cls == MismatchClass::Corruption ? Severity::Error
               : m.cls == MismatchClass::CrashWindow ? Severity::Warning : Severity::Info;
  if (m.repaired) f.severity = Severity::Warning;
  char hex[16];
  std::string digests;
  for (auto& d : m.digests) {
    std::snprintf(hex, sizeof hex, "%08x", d.crc32c);
    digests += (digests.empty() ? "" : " ") + std::to_string(d.slot) + ":" + hex;
  }
  f.message = "data differs at offset " + std::to_string(m.offset) + " length " + std::to_string(m.length) +
              " (region " + std::to_string(m.region) + "): slots " + list(m.agree) + " agree, slots " +
              list(m.differ) + " differ; crc32c " + digests + "; " + std::string(mismatch_class_name(m.cls)) +
              (m.cls == MismatchClass::CrashWindow ? " (dirty in the journal: a write was in flight at a crash)"
               : m.cls == MismatchClass::NeverSynced ? " (never synced since creation)"
                                                      : " (clean in the journal: likely corruption)") +
              (m.repaired ? "; repaired from slot " + std::to_string(m.source_slot) + ", " + m.source_reason : "");
  f.slot = m.differ.empty() ? -1 : m.differ.front();
  return f;
}

}  // namespace dmirror
