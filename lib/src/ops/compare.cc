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
                                            const RepairChoice& choice, std::span<const uint32_t> copies) {
  cur_ = &c;
  const uint64_t pos = c.pos, len = c.len;
  auto is_copy = [&](uint32_t s) { return std::find(copies.begin(), copies.end(), s) != copies.end(); };
  // Group the legs by content; only legs that read the data themselves vote.
  struct Group {
    std::vector<uint32_t> slots;
    size_t votes = 0;
  };
  std::vector<Group> groups;
  for (uint32_t s : slots) {
    Group* g = nullptr;
    for (auto& x : groups)
      if (std::memcmp(c.data(x.slots.front()), c.data(s), len) == 0) g = &x;
    if (!g) g = &groups.emplace_back();
    g->slots.push_back(s);
    if (!is_copy(s)) ++g->votes;
  }
  if (groups.size() <= 1) return std::nullopt;

  Mismatch m;
  const Superblock& sb = set_.sb();
  const uint64_t rs = sb.region_size;
  m.region = pos / rs;
  const bool dirty = set_.journals_loaded() && set_.is_dirty(m.region);
  const bool unsynced = pos + len > sb.resync_offset;
  auto biggest = std::max_element(groups.begin(), groups.end(), [](auto& a, auto& b) { return a.votes < b.votes; });
  std::vector<uint32_t> own;   // slots that read the data themselves, lowest first
  for (uint32_t s : slots) if (!is_copy(s)) own.push_back(s);
  std::sort(own.begin(), own.end());
  if (choice.from_slot != kNoSlot && std::find(slots.begin(), slots.end(), choice.from_slot) != slots.end()) {
    m.source_slot = choice.from_slot;
    m.source_reason = "chosen by the operator (--from " + std::to_string(choice.from_slot) + ")";
  } else if (biggest->votes * 2 > slots.size()) {
    // A strict majority of the legs compared; copies made by the read-error
    // healer count as legs but never as votes.
    m.source_slot = biggest->slots.front();
    m.source_reason = "strict majority (" + std::to_string(biggest->votes) + " of " + std::to_string(slots.size()) +
                      " legs)";
  } else if ((dirty || unsynced) && !own.empty()) {
    m.source_slot = own.front();
    m.source_reason = dirty ? "region dirty in the journal (a write was in flight at a crash): any in-sync copy is "
                              "valid; settled from the lowest in-sync slot"
                            : "not yet reached by the initial sync: settled from the lowest in-sync slot, as the "
                              "sync would";
  } else {
    m.source_slot = kNoSlot;
    m.source_reason = "no evidence for any copy (" + std::to_string(groups.size()) + " versions, no strict majority)";
  }
  // Locate the difference against the source (or, with none, the first leg).
  const std::byte* ref = c.data(m.source_slot != kNoSlot ? m.source_slot : slots.front());
  uint64_t first = len, last = 0;
  for (uint32_t s : slots) {
    const std::byte* d = c.data(s);
    if (m.source_slot != kNoSlot && std::memcmp(d, ref, len) == 0) {
      m.agree.push_back(s);
      continue;
    }
    m.differ.push_back(s);
    if (d == ref) continue;
    uint64_t i = 0;
    while (i < len && d[i] == ref[i]) ++i;
    uint64_t j = len;
    while (j > i && d[j - 1] == ref[j - 1]) --j;
    if (i == j) continue;
    first = std::min(first, i);
    last = std::max(last, j);
  }
  first = first / 512 * 512;
  last = std::min<uint64_t>((last + 511) / 512 * 512, len);
  m.offset = pos + first;
  m.length = last - first;
  for (uint32_t s : slots)
    m.digests.push_back({s, crc32c(std::span<const std::byte>(c.data(s) + first, m.length))});
  m.cls = dirty ? MismatchClass::CrashWindow : classify(m);
  return m;
}

// Only the initial sync's position says "never synced": a guess from the
// content (one side all zeros) would call real damage on an --assume-clean
// array harmless.
MismatchClass Comparator::classify(const Mismatch& m) const {
  if (m.offset + m.length > set_.sb().resync_offset) return MismatchClass::NeverSynced;
  return MismatchClass::Corruption;
}

bool Comparator::repair(const Mismatch& m, std::vector<engine::LegError>& errors) {
  if (m.source_slot == kNoSlot || m.differ.empty()) return false;
  std::span<const std::byte> data(cur_->data(m.source_slot) + (m.offset - cur_->pos), m.length);
  bool all = true;
  for (uint32_t s : m.differ) {
    auto& c = set_.mutable_sb().counters[s];
    // This leg held the losing copy: counted once per region.
    if (lost_[s] != m.region + 1) {
      lost_[s] = m.region + 1;
      ++c.mismatches;
    }
    if (auto st = set_.dev(s)->write(set_.sb().layout.data_offset + m.offset, data); !st) {
      ++c.write_errors;
      errors.push_back({s, st.error()});
      all = false;
      continue;
    }
    // ... and was rewritten from the source: counted once per region too.
    if (corrected_[s] != m.region + 1) {
      corrected_[s] = m.region + 1;
      ++c.corrected;
    }
  }
  return all;
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
  std::string who;
  if (m.cls == MismatchClass::CrashWindow && !m.repaired) {
    std::vector<uint32_t> all = m.agree;
    all.insert(all.end(), m.differ.begin(), m.differ.end());
    std::sort(all.begin(), all.end());
    who = "slots " + list(all) + " differ (a resync decides block by block)";
  } else if (m.source_slot == kNoSlot)
    who = "slots " + list(m.differ) + " disagree with no strict majority";
  else if (m.agree.size() >= 2)
    who = "slots " + list(m.agree) + " agree, slots " + list(m.differ) + " differ";
  else
    who = "slot " + std::to_string(m.source_slot) + " holds the copy chosen, slots " + list(m.differ) + " differ";
  std::string outcome;
  if (m.repaired)
    outcome = "; repaired from slot " + std::to_string(m.source_slot) + ", " + m.source_reason;
  else if (m.cls == MismatchClass::CrashWindow)
    outcome = "; left to `dmirrorctl resync` (pending anyway), which settles a crash window block by block "
              "(FORMAT.md 2.6 rule 21)";
  else if (m.source_slot == kNoSlot)
    outcome = "; left alone: " + m.source_reason + ". Compare the copies and choose the source with "
              "`dmirrorctl scrub --from LEG`";
  else
    outcome = "; not repaired (source would be slot " + std::to_string(m.source_slot) + ", " + m.source_reason + ")";
  f.message = "data differs at offset " + std::to_string(m.offset) + " length " + std::to_string(m.length) +
              " (region " + std::to_string(m.region) + "): " + who + (digests.empty() ? "" : "; crc32c " + digests) +
              "; " +
              std::string(mismatch_class_name(m.cls)) +
              (m.cls == MismatchClass::CrashWindow ? " (dirty in the journal: a write was in flight at a crash)"
               : m.cls == MismatchClass::NeverSynced ? " (not yet reached by the initial sync)"
                                                      : " (clean in the journal: likely corruption)") +
              outcome;
  // (int64_t: a bare -1 against the uint32_t slot would become 4294967295.)
  f.slot = m.source_slot == kNoSlot || m.differ.empty() ? int64_t{-1} : static_cast<int64_t>(m.differ.front());
  return f;
}

}  // namespace dmirror
