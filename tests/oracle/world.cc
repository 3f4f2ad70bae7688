// SPDX-License-Identifier: LGPL-2.1-or-later
// The world's set-up, its step loop and what it observes between steps.
#include "oracle/world.h"

#include <dmirror/array.h>
#include <dmirror/engine.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "oracle/check.h"
#include "oracle/engine_options.h"
#include "oracle/sector_data.h"
#include "oracle/watch_device.h"

namespace dmirror::oracle {

World::World(std::string dir, uint64_t seed, const WorldOptions& opts) : dir_(std::move(dir)), opts_(opts) {
  std::vector<std::string> legs;
  for (uint32_t i = 0; i <= opts.legs; ++i) {
    LegFile f;
    f.path = dir_ + "/leg" + std::to_string(i) + ".img";
    f.member = i < opts.legs;
    f.slot = i;
    resize_file(f.path, kLegSize);
    if (f.member) legs.push_back(f.path);
    files_.push_back(f);
  }
  CreateOptions co;
  co.name = "oracle" + std::to_string(seed % 1000);
  co.legs = legs;
  co.region_size = kRegionSize;
  co.assume_clean = opts.assume_clean;
  auto plan = plan_create(co);
  if (!plan) throw std::runtime_error("oracle: plan_create: " + plan.error().describe());
  auto made = create_array(*plan, co);
  if (!made) throw std::runtime_error("oracle: create_array: " + made.error().describe());
  if (made->sb.layout.data_size != kDataSize)
    throw std::runtime_error("oracle: unexpected data size " + std::to_string(made->sb.layout.data_size));
  model_.resize(kSectors);
}

World::~World() {
  std::error_code ec;
  for (auto& f : files_) std::filesystem::remove(f.path, ec);
}

std::vector<size_t> World::members() const {
  std::vector<size_t> out;
  for (size_t i = 0; i < files_.size(); ++i) if (files_[i].member) out.push_back(i);
  return out;
}

std::vector<size_t> World::present_members() const {
  std::vector<size_t> out;
  for (size_t i : members()) if (files_[i].present) out.push_back(i);
  return out;
}

std::vector<std::string> World::present_paths() const {
  std::vector<std::string> out;
  for (size_t i : present_members()) out.push_back(files_[i].path);
  return out;
}

std::optional<size_t> World::spare() const {
  for (size_t i = 0; i < files_.size(); ++i) if (!files_[i].member) return i;
  return std::nullopt;
}

std::vector<Violation> World::step(const Step& s, const InvariantSet& enabled) {
  Observation pre = last_ ? std::move(*last_) : observe();
  last_.reset();
  StepResult r;
  step_pre_ = &pre;
  try {
    r = apply(s);
  } catch (const std::exception& e) {
    step_pre_ = nullptr;
    r.library = true;
    r.note = std::string("exception: ") + e.what();
    last_note_ = r.note;
    return {{Invariant::NoLibraryCrash, r.note}};
  }
  step_pre_ = nullptr;
  Observation post = observe(&pre);
  last_note_ = r.note;
  StepCounts& c = step_counts()[static_cast<int>(s.kind)];
  ++c.drawn;
  if (r.library) {
    ++c.library;
    if (r.ok) ++c.ok;
    else if (r.refused) ++c.refused;
    else ++c.failed;
  }
  auto v = check_step(*this, pre, r, post, enabled);
  for (size_t f = 0; f < files_.size(); ++f) files_[f].seqno = post.seqno[f];
  forget_rot(post);
  forget_lost(post);
  last_ = std::move(post);
  return v;
}

StepResult World::apply(const Step& s) {
  std::mt19937_64 rng(s.seed);
  switch (s.kind) {
    case StepKind::EngineWrites: return engine_writes(rng, false);
    case StepKind::CrashWrites: return engine_writes(rng, true);
    case StepKind::Concurrent: return concurrent(rng);
    case StepKind::Status:
    case StepKind::Verify:
    case StepKind::VerifyRepair:
    case StepKind::Resync:
    case StepKind::ScrubCheck:
    case StepKind::ScrubRepair:
    case StepKind::ScrubFrom:
    case StepKind::Replace: return offline(s.kind, rng);
    default: return damage(s.kind, rng);
  }
}

Observation World::observe(const Observation* prev) {
  Observation o;
  o.ids.resize(files_.size());
  o.data.resize(files_.size());
  o.seqno.resize(files_.size());
  o.page0.resize(files_.size());
  std::vector<std::byte> sb(kSuperblockSize);
  for (size_t f = 0; f < files_.size(); ++f) {
    const LegFile& lf = files_[f];
    for (int c = 0; c < 2; ++c) {
      uint64_t valid = 0;
      auto bytes = read_bytes(lf.path, kSuperblockOffset[c], kSuperblockSize, &valid);
      auto d = decode_superblock(std::span<const std::byte, kSuperblockSize>(bytes.data(), kSuperblockSize),
                                 kSuperblockOffset[c]);
      if (d && (!o.seqno[f] || d->seqno > *o.seqno[f])) o.seqno[f] = d->seqno;
      if (c == 0) o.page0[f] = bytes;
    }
    if (!lf.member) continue;
    uint64_t valid = 0;
    o.data[f] = read_bytes(lf.path, kDataOffset, kDataSize, &valid);
    const auto& data = o.data[f];
    o.ids[f].resize(kSectors);
    const bool same_file = prev && f < prev->data.size() && prev->data[f].size() == data.size() && prev->ids[f].size() == kSectors;
    for (uint64_t s = 0; s < kSectors; ++s) {
      if ((s + 1) * kSector > valid) {
        o.ids[f][s] = kAbsent;
      } else if (same_file && prev->ids[f][s] != kAbsent &&
                 std::memcmp(prev->data[f].data() + s * kSector, data.data() + s * kSector, kSector) == 0) {
        o.ids[f][s] = prev->ids[f][s];
      } else {
        o.ids[f][s] = decode_sector(std::span(data).subspan(s * kSector, kSector), s);
      }
    }
  }
  o.present = present_members();
  o.status = status_of(present_paths());
  o.holders = holders_of(o);
  engine_reads(o);
  return o;
}

std::vector<uint32_t> World::holders_of(const Observation& o) const {
  std::vector<uint32_t> h(kSectors, 0);
  for (size_t f : members())
    for (uint64_t s = 0; s < kSectors; ++s) {
      uint64_t id = o.ids[f][s];
      const SectorModel& m = model_[s];
      if (id == m.cur || std::find(m.maybe.begin(), m.maybe.end(), id) != m.maybe.end()) h[s] |= 1u << f;
    }
  return h;
}

uint32_t World::line_holders(const Observation& o, uint64_t s) const {
  uint32_t h = 0;
  const SectorModel& m = model_[s];
  for (size_t f : members()) {
    uint64_t id = o.ids[f][s];
    bool on_top = std::find(m.maybe.begin(), m.maybe.end(), id) != m.maybe.end() &&
                  std::find(m.apart.begin(), m.apart.end(), id) == m.apart.end();
    if (id == m.cur || on_top) h |= 1u << f;
  }
  return h;
}

std::vector<bool> World::apart_from_cur() const {
  std::vector<bool> apart(kSectors, false);
  if (!step_pre_) return apart;
  const Observation& o = *step_pre_;
  for (uint64_t s = 0; s < kSectors; ++s) {
    bool held = false;
    for (size_t f : o.present)
      if (f < o.ids.size() && o.ids[f][s] == model_[s].cur) held = true;
    apart[s] = !held;
  }
  return apart;
}

void World::engine_reads(Observation& o) {
  for (size_t f : present_members()) {
    CommandLegs legs = open_command_legs(present_paths(), false, false);
    MirrorOptions mo;
    mo.read_only = true;
    mo.read_policy = ReadPolicy::Preferred;
    mo.preferred_slot = files_[f].slot;
    set_allow_degraded(mo, true);   // reads of a degraded array are checked too
    auto devs = legs.ptrs();
    auto m = Mirror::open(devs, mo);
    std::vector<uint64_t> ids;
    if (m) {
      std::vector<std::byte> buf(kDataSize);
      if (auto st = (*m)->read(0, buf); st) {
        ids.resize(kSectors);
        for (uint64_t s = 0; s < kSectors; ++s) ids[s] = decode_read(o, buf, s);
      } else {
        o.read_notes.push_back("read preferring slot " + std::to_string(files_[f].slot) + ": " + st.error().describe());
      }
    } else {
      o.read_notes.push_back("read-only open: " + m.error().describe());
    }
    o.ro_writes += legs.writes();
    o.reads.push_back({files_[f].slot, std::move(ids)});
  }
}

// The id of sector `s` of an engine read: most sectors are byte-identical
// to some member's, whose id is known already.
uint64_t World::decode_read(const Observation& o, const std::vector<std::byte>& buf, uint64_t s) const {
  const std::byte* got = buf.data() + s * kSector;
  for (size_t f : o.present) {
    uint64_t id = o.ids[f][s];
    if (id != kAbsent && id != kGarbage && std::memcmp(got, o.data[f].data() + s * kSector, kSector) == 0) return id;
  }
  return decode_sector(std::span(buf).subspan(s * kSector, kSector), s);
}

// A rotted sector stops being an excuse once no member and no snapshot
// holds garbage there any more.
void World::forget_rot(const Observation& o) {
  for (uint64_t s = 0; s < kSectors; ++s) {
    SectorModel& m = model_[s];
    if (!m.rot) continue;
    bool garbage = false;
    for (size_t f : members()) garbage |= o.ids[f][s] == kGarbage;
    for (const Snap& sn : snaps_) {
      auto it = sn.image.pages.find((kDataOffset + s * kSector) / FileImage::kPage * FileImage::kPage);
      if (it == sn.image.pages.end()) continue;
      uint64_t in_page = (kDataOffset + s * kSector) % FileImage::kPage;
      garbage |= decode_sector(std::span<const std::byte>(it->second.data() + in_page, kSector), s) == kGarbage;
    }
    if (!garbage) m.rot = false;
  }
}

// A write no leg holds any more is lost for good, and the model stops
// expecting it. That happens when the oracle rolls back, truncates or
// recycles (replace) the last leg holding it, or when a command recovers a
// stale leg that was the last to hold it (acked-data-kept checks that no
// command destroys the last copy held by a source). A leg rolled back to an
// earlier image of itself is indistinguishable from a leg that was absent
// since then; with every leg holding the write gone, no present superblock
// records that the write ever existed, so no rule of FORMAT.md 2.6 can call
// the survivors stale and the array cannot "say so". The newest write still
// held by some leg is then the newest the array can know of: it becomes the
// sector's expectation, and every write after it becomes a write that may be
// read (a later rollback may bring one back). Zeros of a leg cut short and
// grown back are no write: with nothing else held, the expectation is the
// never-written sector. Before this, a sector whose write
// was lost kept excusing reads only while no leg held a write issued after
// it; an unacknowledged write of a later power cut on one leg then turned
// every correct read of the survivors into a read-current violation (the
// two sequences of OracleFound marked "lost with every leg holding it").
void World::forget_lost(Observation& o) {
  bool changed = false;
  for (uint64_t s = 0; s < kSectors; ++s) {
    if (o.holders[s] != 0) continue;
    SectorModel& m = model_[s];
    // The newest acknowledged write a member still holds takes the lost
    // one's place (0: the initial zeros). A survivor that was never
    // acknowledged (in flight at a power cut) is only possible, as it was:
    // the crash window it belongs to may settle either way.
    uint64_t newest = 0;
    for (size_t f : members()) {
      uint64_t id = o.ids[f][s];
      if (id != kGarbage && id != kAbsent && id > newest && std::find(m.acked.begin(), m.acked.end(), id) != m.acked.end())
        newest = id;
    }
    if (newest == m.cur) continue;
    // Every write after it is lost or unacknowledged alike (a rollback may
    // bring back any of them, the lost newest or one before it).
    for (uint64_t id : m.history)
      if (id > newest && std::find(m.maybe.begin(), m.maybe.end(), id) == m.maybe.end()) m.maybe.push_back(id);
    m.cur = newest;
    m.apart.clear();
    changed = true;
  }
  if (changed) o.holders = holders_of(o);
}

}  // namespace dmirror::oracle
