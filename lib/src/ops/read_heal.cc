// SPDX-License-Identifier: LGPL-2.1-or-later
// Healing read errors block by block (see read_heal.h).
#include "ops/read_heal.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>

#include "io/aligned_buffer.h"
#include "ops/leg_io.h"
#include "ops/lose_legs.h"

namespace dmirror::ops {
namespace {

std::string range_text(uint64_t pos, uint64_t len) {
  return "offset " + std::to_string(pos) + " length " + std::to_string(len);
}


// A contiguous range of one leg rewritten from one source.
struct Run {
  uint32_t slot = 0, src = 0;
  uint64_t pos = 0, len = 0;
};

}  // namespace

ReadHealer::ReadHealer(engine::LegSet& set, bool may_write, uint32_t from_slot)
    : set_(set), may_write_(may_write), from_(from_slot), window_(set.sb()),
      unit_(std::max<uint64_t>(4096, set.sb().logical_block_size)) {}

bool ReadHealer::rewrite(uint32_t slot, uint64_t pos, std::span<const std::byte> data, Error& err) {
  BlockDevice* d = set_.dev(slot);
  const uint64_t at = set_.sb().layout.data_offset + pos;
  auto fail = [&](Error e, const char* step) {
    err = e;
    err.message = std::string(step) + " the unreadable block at " + range_text(pos, data.size()) + " failed: " +
                  e.message;
    return false;
  };
  if (auto st = d->write(at, data); !st) return fail(st.error(), "rewriting");
  if (auto st = d->flush(); !st) return fail(st.error(), "flushing");
  auto back = aligned_buffer(data.size());
  if (!back) return fail(Error{ErrorCode::Io, ENOMEM, "out of memory"}, "reading back");
  std::span<std::byte> b(back.get(), data.size());
  if (auto st = d->read(at, b); !st) return fail(st.error(), "reading back");
  if (std::memcmp(b.data(), data.data(), data.size()) != 0)
    return fail(Error{ErrorCode::Io, EIO, "the leg returned other data than was written"}, "reading back");
  return true;
}

Status ReadHealer::heal(Chunk& c, std::vector<uint32_t>& slots, HealResult& res, Findings& out) {
  std::vector<uint32_t> failed, good;
  for (uint32_t s : slots) (c.status(s) ? good : failed).push_back(s);
  if (failed.empty()) return ok();
  const uint64_t base = set_.sb().layout.data_offset;
  std::vector<engine::LegError> errors;
  auto dropped = [&](uint32_t s) {
    return std::any_of(errors.begin(), errors.end(), [&](const engine::LegError& e) { return e.slot == s; });
  };
  std::array<std::optional<Error>, kMaxLegs> why{};
  std::vector<Run> runs;
  for (uint64_t off = 0; off < c.len; off += unit_) {
    const uint64_t blen = std::min(unit_, c.len - off), pos = c.pos + off;
    uint32_t src = good.empty() ? kNoSlot : good.front();
    std::vector<uint32_t> unread;
    for (uint32_t f : failed) {
      if (dropped(f)) continue;
      if (auto st = set_.dev(f)->read(base + pos, std::span<std::byte>(c.mutable_data(f) + off, blen)); st) {
        if (src == kNoSlot) src = f;
      } else {
        unread.push_back(f);
        why[f] = st.error();
      }
    }
    if (unread.empty()) continue;
    const uint64_t now = engine::now_seconds();
    for (uint32_t f : unread) {
      if (may_write_) ++set_.mutable_sb().counters[f].read_errors;
      if (window_.add(f, now) && may_write_)
        errors.push_back({f, Error{ErrorCode::Io, why[f]->sys_errno,
                                   "more than " + std::to_string(window_.limit()) + " read errors within " +
                                       std::to_string(window_.window()) + " s (last at " + range_text(pos, blen) +
                                       ": " + why[f]->message + ")"}});
    }
    // The source must be chosen by evidence, never by position: a copy of
    // one leg's block would vote with that leg at the comparison, and the
    // next run's majority would then overwrite the last good copy.
    std::vector<uint32_t> readable;
    for (uint32_t s : good) readable.push_back(s);
    for (uint32_t f : failed)
      if (!dropped(f) && std::find(unread.begin(), unread.end(), f) == unread.end()) readable.push_back(f);
    std::sort(readable.begin(), readable.end());
    if (!readable.empty()) {
      const uint64_t reg = pos / set_.sb().region_size;
      const bool named = from_ != kNoSlot && std::find(readable.begin(), readable.end(), from_) != readable.end();
      bool agree = true;
      for (uint32_t s : readable)
        agree = agree && std::memcmp(c.data(s) + off, c.data(readable.front()) + off, blen) == 0;
      const bool crash = set_.journals_loaded() && set_.is_dirty(reg);
      const bool unsynced = pos + blen > set_.sb().resync_offset;
      if (named) {
        src = from_;
      } else if (agree || crash || unsynced) {
        src = readable.front();
      } else {
        std::string others;
        for (uint32_t s : readable) others += (others.empty() ? "" : ",") + std::to_string(s);
        for (uint32_t f : unread) {
          if (dropped(f)) continue;
          ++res.unhealed;
          if (std::find(res.unhealed_slots.begin(), res.unhealed_slots.end(), f) == res.unhealed_slots.end())
            res.unhealed_slots.push_back(f);
          out.push_back({Severity::Error, "leg-read-error-no-evidence",
                         range_text(pos, blen) + " unreadable on slot " + std::to_string(f) + " (" +
                             why[f]->describe() + "); the other legs disagree (slots " +
                             others + "): no evidence which copy is right; left alone: choose with --from LEG",
                         set_.dev(f)->describe(), f});
        }
        continue;
      }
    }
    if (src == kNoSlot) {
      ++res.unreadable;
      res.skip_compare = true;
      std::string legs;
      for (uint32_t f : unread) legs += (legs.empty() ? "" : ", ") + set_.leg_name(f);
      out.push_back({Severity::Error, "data-unreadable",
                     "no in-sync leg can read " + range_text(pos, blen) + " (" + legs + ": " + why[unread[0]]->message +
                         "); the data there is lost on every leg and reads of it fail with an I/O error: restore "
                         "that range from a backup (a write to it rewrites every leg)",
                     "", -1});
      continue;
    }
    for (uint32_t f : unread) {
      if (dropped(f)) continue;
      std::memcpy(c.mutable_data(f) + off, c.data(src) + off, blen);
      if (std::find(res.copies.begin(), res.copies.end(), f) == res.copies.end()) res.copies.push_back(f);
      if (!may_write_) {
        out.push_back({Severity::Error, "leg-read-error",
                       "cannot read " + set_.leg_name(f) + " at " + range_text(pos, blen) + ": " +
                           why[f]->describe() + "; not rewritten (read-only): run `dmirrorctl scrub` or "
                           "`verify --repair` to rewrite it from a leg that reads it",
                       set_.dev(f)->describe(), f});
        continue;
      }
      // Not marked in the journal first (read_heal.h, FORMAT.md 1.1).
      Error e;
      if (!rewrite(f, pos, std::span<const std::byte>(c.data(src) + off, blen), e)) {
        if (is_out_of_space(e)) {
          // The host's file system is full: the leg is kept, and the block
          // stays unreadable; the next check rewrites it once space is freed.
          errors.push_back({f, e});
          continue;
        }
        ++set_.mutable_sb().counters[f].write_errors;
        errors.push_back({f, e});
        continue;
      }
      ++set_.mutable_sb().counters[f].corrected;
      ++res.corrected;
      if (!runs.empty() && runs.back().slot == f && runs.back().src == src && runs.back().pos + runs.back().len == pos)
        runs.back().len += blen;
      else
        runs.push_back({f, src, pos, blen});
    }
  }
  for (const Run& r : runs) {
    std::string text = set_.leg_name(r.slot) + ": unreadable data at " + range_text(r.pos, r.len) +
                       " rewritten from slot " + std::to_string(r.src) + " and read back good";
    set_.record_event(EventType::ReadErrorCorrected, r.slot, {r.pos, r.len}, text);
    out.push_back({Severity::Warning, "read-error-corrected", text, set_.dev(r.slot)->describe(), r.slot});
  }
  for (const auto& e : errors)
    if (!is_out_of_space(e.error))
      out.push_back({Severity::Error, "leg-failed", set_.leg_name(e.slot) + " failed: " + e.error.message,
                   set_.dev(e.slot)->describe(), e.slot});
  return settle_errors(set_, errors, slots);
}

}  // namespace dmirror::ops
