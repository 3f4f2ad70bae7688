// SPDX-License-Identifier: LGPL-2.1-or-later
// ArrayLegs: slot matching, superblock commits, events and journals over the
// present legs of one array.
#include <dmirror/dm/online/array_legs.h>

#include <dmirror/journal.h>
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

Result<ArrayLegs> ArrayLegs::assemble(std::vector<NamedDevice> devices, const ArrayLegsOptions& options) {
  if (devices.empty()) return make_error(ErrorCode::InvalidArgument, "no leg given");
  std::vector<LegMetadata> metas;
  for (auto& d : devices) {
    auto meta = read_leg(*d.dev);
    if (!meta) {
      auto e = meta.error();
      e.message = d.path + ": " + e.message;
      return std::unexpected(e);
    }
    metas.push_back(std::move(*meta));
  }
  size_t newest = 0;
  for (size_t i = 1; i < metas.size(); ++i) {
    if (metas[i].sb.array_uuid != metas[0].sb.array_uuid)
      return make_error(ErrorCode::InvalidArgument,
                        devices[i].path + " is a leg of array '" + metas[i].sb.name + "' (uuid " +
                            metas[i].sb.array_uuid.str() + "), but " + devices[0].path + " belongs to '" +
                            metas[0].sb.name + "' (uuid " + metas[0].sb.array_uuid.str() +
                            "). Give the legs of one array only");
    if (metas[i].sb.seqno > metas[newest].sb.seqno) newest = i;
  }
  ArrayLegs out;
  out.sb_ = metas[newest].sb;
  out.legs_.resize(kMaxLegs);
  for (size_t i = 0; i < metas.size(); ++i) {
    const Superblock& own = metas[i].sb;
    const uint32_t slot = own.slot;
    const auto& entry = out.sb_.legs[slot];
    if (slot >= out.sb_.nr_legs || entry.uuid != own.leg_uuid || entry.state == LegState::Unused ||
        entry.state == LegState::Removed)
      return make_error(ErrorCode::InvalidArgument,
                        devices[i].path + " was slot " + std::to_string(slot) + " of array '" + out.sb_.name +
                            "' but is no longer a member (it was removed or replaced). Leave it out, or "
                            "wipe it before reuse");
    if (out.legs_[slot].dev)
      return make_error(ErrorCode::InvalidArgument, devices[i].path + " and " + out.legs_[slot].path +
                                                        " both claim slot " + std::to_string(slot) +
                                                        "; give each leg once");
    if (own.seqno < out.sb_.seqno) {
      if (!options.force)
        return make_error(ErrorCode::Stale,
                          leg_text(slot, devices[i].path) + " is stale: its metadata is at seqno " +
                              std::to_string(own.seqno) + ", the array at " + std::to_string(out.sb_.seqno) +
                              ", so it missed writes. Leave it out (and replace it later), or use --force to "
                              "include it: it is then rebuilt from the other legs");
      out.stale_.push_back(slot);
    }
    out.legs_[slot] = Leg{std::move(devices[i].path), std::move(devices[i].dev)};
  }
  std::sort(out.stale_.begin(), out.stale_.end());
  return out;
}

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

Status ArrayLegs::commit() {
  sb_.seqno += 1;
  sb_.utime = unix_now();
  for (uint32_t s : present_slots()) {
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
  return ArrayLegs::assemble(std::move(devices), ArrayLegsOptions{.force = options.force});
}

}  // namespace dmirror::dm
