// SPDX-License-Identifier: LGPL-2.1-or-later
// ArrayLegs: superblock commits, events and journals over the present legs
// of one array (the members come from the assembly: array_legs_assemble.cc).
#include <dmirror/dm/online/array_legs.h>

#include <dmirror/journal.h>
#include <dmirror/leg.h>
#include <dmirror/leg_count.h>
#include <dmirror/legs.h>

#include <sys/stat.h>

#include <algorithm>
#include <ctime>
#include <set>

namespace dmirror::dm {
namespace {

std::string leg_text(uint32_t slot, const std::string& path) {
  return "slot " + std::to_string(slot) + " (" + path + ")";
}

}  // namespace

uint64_t unix_now() { return static_cast<uint64_t>(std::time(nullptr)); }

ArrayLegs::ArrayLegs(ArrayLegs&&) noexcept = default;
ArrayLegs& ArrayLegs::operator=(ArrayLegs&&) noexcept = default;
ArrayLegs::~ArrayLegs() = default;

std::vector<uint32_t> ArrayLegs::present_slots() const {
  std::vector<uint32_t> out;
  for (uint32_t s = 0; s < legs_.size(); ++s)
    if (legs_[s].dev) out.push_back(s);
  return out;
}

void ArrayLegs::attach(uint32_t slot, NamedDevice device) {
  if (slot >= legs_.size()) return;
  legs_[slot] = Leg{std::move(device.path), std::move(device.dev)};
}

void ArrayLegs::detach(uint32_t slot) {
  if (slot < legs_.size()) legs_[slot] = Leg{};
}

Status ArrayLegs::commit(CommitKind kind) {
  // Rule 15: never a seqno at or below one already on a leg.
  uint64_t newest = sb_.seqno;
  for (uint32_t s : present_slots())
    if (auto m = read_leg(*legs_[s].dev); m && m->sb.array_uuid == sb_.array_uuid) newest = std::max(newest, m->sb.seqno);
  sb_.seqno = newest + 1;
  sb_.utime = unix_now();
  if (kind == CommitKind::KeptSince) sb_.journal_kept_since = sb_.seqno;
  settle_spares_bit(sb_);   // FORMAT.md 2.2: SPARES only while the table lists a spare
  // Rule 19: going on without a member of the assembled table starts a new
  // generation (once); a stale leg rejoining adopts it with this commit.
  generation_.before_commit(sb_, sb_.seqno, [&](uint32_t s) { return present(s); });
  // In-sync legs first (FORMAT.md 2.5): an update torn part-way then sits
  // on a leg that holds all the data.
  std::vector<uint32_t> order;
  for (uint32_t s : present_slots())
    if (sb_.legs[s].state == LegState::InSync) order.push_back(s);
  for (uint32_t s : present_slots())
    if (sb_.legs[s].state != LegState::InSync) order.push_back(s);
  for (uint32_t s : order) {
    Superblock copy = sb_;
    copy.slot = s;
    copy.leg_uuid = sb_.legs[s].uuid;
    if (auto st = write_superblocks(*legs_[s].dev, copy); !st) {
      if (sb_.legs[s].state == LegState::Failed) continue;  // a dead leg: the others carry the news
      auto e = st.error();
      e.message = "write the superblocks of " + leg_text(s, legs_[s].path) + ": " + e.message;
      return std::unexpected(e);
    }
  }
  return ok();
}

void ArrayLegs::record_event(EventType type, uint32_t slot, std::initializer_list<uint64_t> args,
                             std::string detail) {
  if (!next_event_) {
    uint64_t next = 1;
    for (uint32_t s : present_slots())
      if (auto h = read_events(*legs_[s].dev, sb_); h) next = std::max(next, h->next_seq);
    next_event_ = next;
  }
  Event ev = make_event((*next_event_)++, unix_now(), type, slot, args, std::move(detail));
  for (uint32_t s : present_slots()) {
    if (write_event(*legs_[s].dev, sb_, ev)) (void)legs_[s].dev->flush();
  }
}

Result<std::vector<uint64_t>> ArrayLegs::journal_dirty() const {
  std::set<uint64_t> dirty;
  for (uint32_t s : present_slots()) {
    DMIRROR_ASSIGN_OR_RETURN(auto j, WriteIntentJournal::load(*legs_[s].dev, sb_));
    for (uint64_t r : j.dirty_regions()) dirty.insert(r);
  }
  return std::vector<uint64_t>(dirty.begin(), dirty.end());
}

Status ArrayLegs::set_journal(const std::vector<uint64_t>& dirty) {
  for (uint32_t s : present_slots()) {
    DMIRROR_ASSIGN_OR_RETURN(auto j, WriteIntentJournal::load(*legs_[s].dev, sb_));
    const bool damaged = !j.damage().empty();
    j.clear_all();
    for (uint64_t r : dirty)
      if (r < j.nr_regions()) j.mark(r);
    DMIRROR_RETURN_IF_ERROR(j.write_pending(*legs_[s].dev, damaged));
    DMIRROR_RETURN_IF_ERROR(legs_[s].dev->flush());
    j.commit_written(damaged);
  }
  return ok();
}

Result<ArrayLegs> open_array_legs(const std::vector<std::string>& paths, const OpenLegsForArray& options) {
  std::vector<NamedDevice> devices;
  for (const auto& p : paths) {
    struct stat st {};
    const bool block = ::stat(p.c_str(), &st) == 0 && S_ISBLK(st.st_mode);
    DMIRROR_ASSIGN_OR_RETURN(
        auto dev, open_device(p, OpenOptions{.writable = true, .direct = block, .exclusive = options.exclusive}));
    devices.push_back(NamedDevice{p, block ? make_aligned_device(std::move(dev)) : std::move(dev)});
  }
  return ArrayLegs::assemble(std::move(devices), options.assemble);
}

}  // namespace dmirror::dm
