// SPDX-License-Identifier: LGPL-2.1-or-later
// plan_handoff(): the activation rules of FORMAT.md §6 and docs/kernel-facts.md
// §2.4/§2.7 (first use, rebuild once, dirty regions, unclean shutdown).
#include <dmirror/dm/online/handoff.h>

#include <algorithm>
#include <set>

namespace dmirror::dm {
namespace {

bool contains(const std::vector<uint32_t>& v, uint32_t x) { return std::find(v.begin(), v.end(), x) != v.end(); }

std::string slot_list(const std::vector<uint32_t>& slots) {
  std::string out;
  for (uint32_t s : slots) out += (out.empty() ? "" : ", ") + std::to_string(s);
  return out;
}

// Missing and split slots keep their table position ("- -"), so positions
// never shift when a leg is away and comes back (FORMAT.md 6.1).
bool takes_part(LegState s) {
  return s == LegState::InSync || s == LegState::Failed || s == LegState::Rebuilding || s == LegState::Replacing ||
         s == LegState::Missing || s == LegState::Split;
}

bool can_source(LegState s) { return s == LegState::InSync || s == LegState::Replacing; }

// Why `slot` must be passed with `rebuild`, or empty.
std::string rebuild_reason(const HandoffInput& in, uint32_t slot, bool any_existing, bool kmeta_new) {
  const LegEntry& e = in.sb.legs[slot];
  if (contains(in.stale, slot))
    return "slot " + std::to_string(slot) +
           " is stale (it missed updates): rebuilt in full from the others, never read until then";
  if (e.state == LegState::Failed)
    return "slot " + std::to_string(slot) + " is marked failed and re-added (--re-add): rebuilt in full from the others";
  if (e.state == LegState::Rebuilding && !(e.flags & legflag::kRebuildPassed))
    return "slot " + std::to_string(slot) + " is rebuilding: the kernel rebuilds it from the start";
  if (any_existing && kmeta_new)
    return "slot " + std::to_string(slot) + " has no kernel metadata yet (a new device): rebuilt from the others";
  return {};
}

// A bitmap the kernel will trust (docs/kernel-facts.md §3.3): our region size, every
// region covered, and events not below the newest dm-raid superblock the
// kernel will load (`events`), else it declares the bitmap stale.
bool bitmap_usable(const KernelMetadataState& k, const Superblock& sb, uint64_t events) {
  return k.bitmap && k.bitmap->chunksize == sb.region_size && k.bitmap->chunk_count() >= sb.nr_regions &&
         k.bitmap->events >= events;
}

std::string missing_text(const Superblock& sb, const std::vector<uint32_t>& slots) {
  std::string out;
  for (uint32_t s : slots)
    out += (out.empty() ? "" : ", ") + std::string("slot ") + std::to_string(s) + " (leg uuid " + sb.legs[s].uuid.str() + ")";
  return out;
}

}  // namespace

std::optional<uint32_t> KernelSlotMap::position_of(uint32_t slot) const {
  for (uint32_t p = 0; p < slots.size(); ++p)
    if (slots[p] == slot) return p;
  return std::nullopt;
}

KernelSlotMap kernel_slot_map(const Superblock& sb) {
  KernelSlotMap m;
  for (uint32_t s = 0; s < sb.nr_legs && s < kMaxLegs; ++s)
    if (takes_part(sb.legs[s].state)) m.slots.push_back(s);
  return m;
}

Status check_missing(const Superblock& sb, const std::vector<uint32_t>& missing, bool allow_degraded) {
  if (missing.empty() || allow_degraded) return ok();
  return make_error(ErrorCode::Stale, "array '" + sb.name + "': " + missing_text(sb, missing) +
                                          " missing. Give every leg, or use --degraded to start without them "
                                          "(they are recorded missing and rebuilt when they return)");
}

std::vector<uint32_t> missing_slots(const Superblock& sb, const std::vector<uint32_t>& present) {
  std::vector<uint32_t> out;
  for (uint32_t s : kernel_slot_map(sb).slots)
    if (!contains(present, s) && sb.legs[s].state != LegState::Failed && sb.legs[s].state != LegState::Split)
      out.push_back(s);
  return out;
}

Result<HandoffPlan> plan_handoff(const HandoffInput& in) {
  const Superblock& sb = in.sb;
  HandoffPlan p;
  p.map = kernel_slot_map(sb);
  std::vector<uint32_t> here;
  for (uint32_t s : p.map.slots) {
    if (sb.legs[s].state == LegState::Split) continue;   // "- -": split off, no consent needed (rule 24)
    if (contains(in.present, s)) here.push_back(s);
    else (sb.legs[s].state == LegState::Failed ? p.left_out : p.missing).push_back(s);
  }
  if (here.empty())
    return make_error(ErrorCode::Stale, "array '" + sb.name + "': none of its legs was given or found");
  DMIRROR_RETURN_IF_ERROR(check_missing(sb, p.missing, in.allow_degraded));
  if (!p.missing.empty()) p.notes.push_back("starting degraded: slot(s) " + slot_list(p.missing) + " missing");
  for (uint32_t s : p.left_out)
    p.notes.push_back("slot " + std::to_string(s) +
                      " is failed: left out (once its device is healthy, `dmirrorctl activate --re-add` or "
                      "`dmirrorctl resync --re-add` copies everything onto it, or `dmirrorctl replace` it)");

  auto kmeta = [&](uint32_t s) -> const KernelMetadataState* {
    auto it = in.kernel.find(s);
    return it == in.kernel.end() ? nullptr : &it->second;
  };
  // Only the legs kept as they are count: a stale leg's kernel metadata is
  // as old as the rest of it, and `rebuild` makes the kernel treat it as new.
  bool any_existing = false;
  for (uint32_t s : here)
    if (!contains(in.stale, s) && kmeta(s) && !kmeta(s)->is_new) any_existing = true;

  std::vector<uint32_t> only_new_kmeta;  // rebuilt only because their kernel metadata is blank
  for (uint32_t s : here) {
    const bool is_new = !kmeta(s) || kmeta(s)->is_new;
    std::string why = rebuild_reason(in, s, any_existing, is_new);
    if (why.empty()) continue;
    p.rebuild.push_back(s);
    p.notes.push_back(why);
    if (can_source(sb.legs[s].state) && !contains(in.stale, s)) only_new_kmeta.push_back(s);
  }
  bool source = false;
  for (uint32_t s : here) source |= can_source(sb.legs[s].state) && !contains(p.rebuild, s);
  if (!source)
    return make_error(ErrorCode::Stale, "array '" + sb.name +
                                            "': no in-sync leg is present to copy from. Give an in-sync leg");

  std::set<uint64_t> dirty(in.journal_dirty.begin(), in.journal_dirty.end());
  if (sb.resync_offset != kOffsetInSync && sb.region_size)
    for (uint64_t r = sb.resync_offset / sb.region_size; r < sb.nr_regions; ++r) dirty.insert(r);

  // dm-raid starts a set whose legs all lack its metadata only with every
  // position present ("all legs new"); one position absent makes a blank
  // leg a "new device injected into existing raid set" (docs/kernel-facts.md
  // §2.4), and the table load fails.
  std::vector<uint32_t> absent;
  for (uint32_t s : p.map.slots)
    if (!contains(here, s)) absent.push_back(s);
  if (!any_existing && !absent.empty())
    return make_error(ErrorCode::Refused,
                      "array '" + sb.name + "' has never been active: no leg carries the kernel's metadata yet, and "
                      "the kernel starts it the first time only with every leg (slot(s) " + slot_list(absent) +
                      " absent). Give every leg once; later starts may be degraded. Offline, `dmirrorctl io` and "
                      "`resync --degraded` work without them");
  if (!any_existing) {
    p.first_use = true;
    p.rebuild.clear();  // every leg is new to the kernel: the initial sync covers them
    p.notes.erase(std::remove_if(p.notes.begin(), p.notes.end(),
                                 [](const std::string& n) { return n.find("no kernel metadata yet") != std::string::npos; }),
                  p.notes.end());
    for (uint32_t s : here)
      if (!can_source(sb.legs[s].state) || contains(in.stale, s)) p.rebuild.push_back(s);
    p.nosync = dirty.empty() && p.rebuild.empty();
    p.notes.push_back(p.nosync ? "first activation, legs known identical: no initial sync (nosync)"
                               : "first activation: the kernel makes a full initial sync");
    return p;
  }

  if (in.unclean) {
    p.force_resync = true;
    p.notes.push_back("unclean shutdown: the kernel resyncs every region dirty in its bitmap");
  }
  if (dirty.empty()) return p;
  // The kernel loads the freshest dm-raid superblock of the legs not
  // rebuilt; every bitmap we mark must be at least that fresh.
  uint64_t events = 0;
  for (uint32_t s : here)
    if (!contains(p.rebuild, s) && kmeta(s) && !kmeta(s)->is_new) events = std::max(events, kmeta(s)->events);
  bool usable = true;
  for (uint32_t s : here)
    if (!contains(p.rebuild, s) && kmeta(s) && !kmeta(s)->is_new && !bitmap_usable(*kmeta(s), sb, events))
      usable = false;
  if (usable) {
    p.action = KernelMetadataAction::MarkDirty;
    p.mark_regions.assign(dirty.begin(), dirty.end());
    p.force_resync = true;
    p.notes.push_back(std::to_string(dirty.size()) + " region(s) not known in sync handed to the kernel");
    return p;
  }
  std::vector<uint32_t> real_rebuilds;
  for (uint32_t s : p.rebuild)
    if (!contains(only_new_kmeta, s)) real_rebuilds.push_back(s);
  if (!real_rebuilds.empty())
    return make_error(ErrorCode::Unsupported,
                      "array '" + sb.name + "': the kernel's bitmap cannot take the regions to resync, and slot(s) " +
                          slot_list(real_rebuilds) +
                          " must also be rebuilt. Run 'dmirrorctl resync' offline first, then activate");
  if (!absent.empty())
    return make_error(ErrorCode::Refused,
                      "array '" + sb.name + "': the kernel's bitmap cannot take the regions to resync, so its "
                      "metadata would be reset, and the kernel starts a reset set only with every leg (slot(s) " +
                      slot_list(absent) + " absent). Run 'dmirrorctl resync --degraded' offline first, then activate");
  p.action = KernelMetadataAction::Zero;
  p.first_use = true;
  p.rebuild.clear();
  p.force_resync = false;
  p.notes.push_back("the kernel's bitmap does not match our regions: kernel metadata reset, full resync");
  return p;
}

}  // namespace dmirror::dm
