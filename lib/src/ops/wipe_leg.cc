// SPDX-License-Identifier: LGPL-2.1-or-later
// plan_wipe() and wipe_leg() (see wipe.h).
#include <dmirror/wipe.h>

#include <dmirror/array.h>
#include <dmirror/leg.h>
#include <dmirror/probe.h>

#include <algorithm>
#include <vector>

namespace dmirror {
namespace {

// The areas of `l` (superblock copies last, copy 0 the very last: see
// wipe_leg()); `tails` are the leg's copies 2 (where it records one, and
// where its size puts one: a resize leaves it behind).
std::vector<WipeArea> areas_of(const Layout& l, const std::vector<uint64_t>& tails = {}) {
  std::vector<WipeArea> v = {
      {"journal", l.journal_offset, l.journal_size},
      {"event history", l.events_offset, l.events_size},
      {"kernel metadata", l.kmeta_offset, l.kmeta_size},
  };
  for (uint64_t t : tails) v.push_back({"superblock copy 2", t, kSuperblockSize});
  v.push_back({"superblock copy 1", l.sb_offset[1], kSuperblockSize});
  v.push_back({"superblock copy 0", l.sb_offset[0], kSuperblockSize});
  return v;
}

bool is_superblock(const WipeArea& a) { return a.what.rfind("superblock copy", 0) == 0; }

// Copy 2 of a leg: where its superblock records it (`recorded`, 0: none),
// and where the leg's size puts it when our magic is there (a resize
// leaves one behind, a damaged one keeps the magic). Only past `data_end`:
// the bytes there belong to no area.
std::vector<uint64_t> tail_copies(BlockDevice& dev, uint64_t recorded, uint64_t data_end, uint64_t joined_size = 0) {
  std::vector<uint64_t> out;
  const uint64_t size = dev.geometry().size_bytes;
  if (recorded != 0 && recorded >= data_end && recorded + kSuperblockSize <= size) out.push_back(recorded);
  // ... and where the leg's size now, or when it joined, puts one (a move
  // cut short leaves one there), when our magic is there.
  for (uint64_t at : {tail_copy_offset(size), joined_size ? tail_copy_offset(joined_size) : uint64_t{0}})
    if (at != 0 && at >= data_end && std::find(out.begin(), out.end(), at) == out.end() &&
        has_superblock_magic(dev, at))
      out.push_back(at);
  return out;
}


// Why a leg is kept (wipe_hold), said with what to do instead.
std::string hold_text(WipeHold h, LegState own, const std::string& array, uint32_t slot, size_t found) {
  const std::string searched = found == 0 ? " (no other leg of it was found: image files are found only when given "
                                            "with --with)"
                                          : "";
  switch (h) {
    case WipeHold::OtherSide:
      return " went on writing apart from array '" + array + "''s newest table (split brain): it may hold writes "
             "the other side never saw. Choose the side to keep with `dmirrorctl resync --from LEG` first, or use "
             "--force to wipe it anyway";
    case WipeHold::Spare:
      return " is a spare of array '" + array + "': it holds no data, but the array keeps it to take over a "
             "failed leg. Remove it from the array first (dmirrorctl remove " + array + " --leg " +
             std::to_string(slot) + "), or use --force to wipe it anyway";
    case WipeHold::OnlyCopy:
      return " is outside array '" + array + "''s newest table, but no in-sync leg of the array was found" + searched +
             ": it may hold the only copy of the newest data. Give the array's current legs with --with, or use "
             "--force to wipe it anyway";
    default:
      return " is " + std::string(leg_state_name(own)) + " in its array's table: it holds the data of array '" +
             array + "'" + (found == 0 ? " (no other leg of it was found; image files are found only when given with --with)" : "") +
             ". Remove or replace it first (dmirrorctl replace), or use --force to wipe it anyway (the array then "
             "counts the slot missing)";
  }
}

bool holds_data(LegState s) {
  return s == LegState::InSync || s == LegState::Rebuilding || s == LegState::Replacing;
}

// Every area must lie inside the device and below the data area.
Status check_areas(const std::string& path, const std::vector<WipeArea>& areas, uint64_t data_offset,
                   uint64_t device_size) {
  for (const auto& a : areas) {
    const uint64_t end = a.offset + a.length;
    // Copy 2 lies past the data area (FORMAT.md 1), inside the device.
    if (a.what == "superblock copy 2") {
      if (end < a.offset || a.offset < data_offset || end > device_size)
        return make_error(ErrorCode::Corruption, path + ": superblock copy 2, recorded at byte " +
                                                     std::to_string(a.offset) + ", does not lie inside the device past "
                                                     "the metadata; nothing was wiped. Check the device with "
                                                     "`dmirrorctl examine`");
      continue;
    }
    if (end < a.offset || end > data_offset || end > device_size)
      return make_error(ErrorCode::Corruption,
                        path + ": the " + a.what + " recorded in the superblock does not lie before the data area "
                               "(offset " + std::to_string(a.offset) + ", " + std::to_string(a.length) +
                               " bytes); nothing was wiped. Check the device with `dmirrorctl examine`");
  }
  return ok();
}

}  // namespace

uint64_t WipePlan::bytes() const {
  uint64_t n = 0;
  for (const auto& a : areas) n += a.length;
  return n;
}

Result<WipePlan> plan_wipe(BlockDevice& dev, const std::string& path, const WipeOptions& o) {
  WipePlan plan;
  plan.path = path.empty() ? dev.describe() : path;
  auto meta = read_leg(dev);
  if (!meta && meta.error().code == ErrorCode::Io) return std::unexpected(meta.error());
  // Another signature: never touched, whatever --force says (the leg may
  // have been reused for something else since).
  if (!path.empty()) {
    DMIRROR_ASSIGN_OR_RETURN(auto sigs, probe_signatures(path));
    if (!sigs.empty())
      return make_error(ErrorCode::ForeignSignature,
                        plan.path + " carries " + sigs.front().describe() +
                            "; it is not wiped (not even with --force). If that is unwanted, erase it with wipefs");
  }
  if (!meta) {
    const Error& e = meta.error();
    if (e.code == ErrorCode::NotDmirror) {
      if (!o.force)
        return make_error(ErrorCode::NotDmirror, plan.path + " carries no dmirror superblock; there is nothing to "
                                                             "wipe. Check the device name (--force: succeed anyway)");
      return plan;   // nothing to do
    }
    if (e.code != ErrorCode::Corruption && e.code != ErrorCode::Unsupported) return std::unexpected(e);
    if (!o.force)
      return make_error(e.code, plan.path + " carries dmirror metadata that cannot be read (" + e.describe() +
                                    "); use --force to wipe it with format v1's layout");
    plan.has_metadata = true;
    // Copy 2 where the leg's size puts it, when our magic is there (a
    // damaged copy 2): the bytes past the data area of an array without
    // one are never touched.
    plan.areas = areas_of(fixed_layout(), tail_copies(dev, 0, kDataOffset + kMinDataSize));
    DMIRROR_RETURN_IF_ERROR(check_areas(plan.path, plan.areas, kDataOffset, dev.geometry().size_bytes));
    return plan;
  }
  const Superblock& sb = meta->sb;
  plan.has_metadata = true;
  plan.readable = true;
  plan.array_name = sb.name;
  plan.array_uuid = sb.array_uuid;
  plan.slot = sb.slot;
  plan.state = sb.slot < kMaxLegs ? sb.legs[sb.slot].state : LegState::Unused;
  const std::string leg = plan.path + " (slot " + std::to_string(sb.slot) + " of array '" + sb.name + "')";
  if (!o.active_volume.empty())
    return make_error(ErrorCode::Busy, leg + " belongs to the active volume /dev/mapper/" + o.active_volume +
                                           "; deactivate it first (dmirrorctl deactivate " + o.active_volume + ")");
  const WipeHold hold = o.hold                         ? *o.hold
                        : holds_data(plan.state)         ? WipeHold::Member
                        : plan.state == LegState::Spare ? WipeHold::Spare
                                                         : WipeHold::None;
  if (hold != WipeHold::None && !o.force)
    return make_error(ErrorCode::Refused, leg + hold_text(hold, plan.state, sb.name, sb.slot, o.legs_found));
  plan.areas = areas_of(sb.layout, tail_copies(dev, (sb.compat & feature::kCompatTailCopy) ? sb.tail_offset : 0,
                                                sb.layout.data_offset + sb.layout.data_size,
                                                sb.slot < kMaxLegs ? sb.legs[sb.slot].device_size : 0));
  DMIRROR_RETURN_IF_ERROR(check_areas(plan.path, plan.areas, sb.layout.data_offset, dev.geometry().size_bytes));
  return plan;
}

Status wipe_leg(BlockDevice& dev, const WipePlan& plan) {
  constexpr uint64_t kChunk = 1024 * 1024;
  std::vector<std::byte> zeros(kChunk);
  const size_t sb_areas =
      static_cast<size_t>(std::count_if(plan.areas.begin(), plan.areas.end(), is_superblock));
  for (size_t i = 0; i < plan.areas.size(); ++i) {
    // Everything else durable before the superblocks go.
    if (i + sb_areas == plan.areas.size()) DMIRROR_RETURN_IF_ERROR(dev.flush());
    const WipeArea& a = plan.areas[i];
    for (uint64_t done = 0; done < a.length;) {
      const uint64_t n = std::min(kChunk, a.length - done);
      DMIRROR_RETURN_IF_ERROR(dev.write(a.offset + done, std::span<const std::byte>(zeros.data(), n)));
      done += n;
    }
  }
  return dev.flush();
}

}  // namespace dmirror
