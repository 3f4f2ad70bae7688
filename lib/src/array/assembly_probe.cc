// SPDX-License-Identifier: LGPL-2.1-or-later
// The I/O half of the assembly: probing one device (superblocks, journal,
// geometry, foreign signatures), and assemble_paths() for the read-only
// commands. The decision itself is assemble_array() (assembly.cc).
#include <dmirror/assembly.h>
#include <dmirror/block_device.h>
#include <dmirror/journal.h>
#include <dmirror/legs.h>

#include "array/assembly_rules.h"
#include "array/assembly_settle.h"

#include <sys/stat.h>

namespace dmirror {
namespace {

bool copy_damaged_or_blank(const LegMetadata& m) {
  for (const CopyInfo& c : m.copies)
    if (c.state == CopyState::Blank || c.state == CopyState::Corrupt || c.state == CopyState::IoError) return true;
  return false;
}

bool names_storage(const std::string& path) {
  struct stat st {};
  return !path.empty() && ::stat(path.c_str(), &st) == 0 && (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode));
}

// Two paths naming one storage (a path twice, a symlink, a loop device and
// its backing file) are refused as the writers refuse them (open_legs):
// read as two legs, one would be taken for a copy of the other.
Status distinct_storage(const std::vector<std::string>& paths) {
  std::vector<std::pair<PathIdentity, const std::string*>> seen;
  for (const auto& p : paths) {
    auto id = identify_path(p);
    if (!id) continue;   // missing or unreadable: the probe reports it
    for (const auto& [other, name] : seen)
      if (same_storage(other, *id))
        return make_error(ErrorCode::InvalidArgument, p + " and " + *name + " are the same storage; give each leg once");
    seen.emplace_back(*id, &p);
  }
  return ok();
}

}  // namespace

LegProbe probe_leg(BlockDevice& dev, const std::string& path) {
  LegProbe p;
  p.name = path.empty() ? dev.describe() : path;
  p.device_size = dev.geometry().size_bytes;
  p.logical_block_size = dev.geometry().logical_block_size;
  auto meta = read_leg(dev);
  if (!meta) {
    p.error = meta.error();
    return p;
  }
  p.meta = std::move(*meta);
  if (auto j = WriteIntentJournal::load(dev, p.meta->sb); j) {
    JournalSummary s;
    s.dirty = j->dirty_count();
    s.damaged = !j->damage().empty();
    for (const auto& d : j->damage()) {
      if (!s.detail.empty()) s.detail += "; ";
      s.detail += "block " + std::to_string(d.block) + " slot " + std::to_string(d.slot) + ": " + d.what;
    }
    p.journal = std::move(s);
  }
  const std::string probe_path = path.empty() ? dev.describe() : path;
  if (copy_damaged_or_blank(*p.meta) && names_storage(probe_path)) {
    if (auto sigs = probe_signatures(probe_path); sigs) p.foreign = std::move(*sigs);
  }
  return p;
}

LegProbe probe_path(const std::string& path) {
  auto dev = open_for_probe(path);
  if (!dev) {
    LegProbe p;
    p.name = path;
    p.error = dev.error();
    return p;
  }
  return probe_leg(**dev, path);
}

Result<Assembly> assemble_paths(const std::vector<std::string>& paths, const AssembleOptions& options) {
  DMIRROR_RETURN_IF_ERROR(distinct_storage(paths));
  Findings unsettled;
  // A writer that held the array while the legs were read (FORMAT.md 2.6
  // rule 16): readers take no lock, they look for its holder.
  const auto before = find_array_writer(paths);
  std::vector<LegProbe> probes = probe_settled(paths, probe_path, unsettled);
  AssembleOptions o = options;
  if (!o.in_use) o.in_use = find_array_writer(paths);
  if (!o.in_use) o.in_use = before;
  DMIRROR_ASSIGN_OR_RETURN(auto a, assemble_array(probes, o));
  a.findings.insert(a.findings.end(), unsettled.begin(), unsettled.end());
  assembly::read_events(a, paths);
  return a;
}

std::string_view disposition_name(Disposition d) {
  switch (d) {
    case Disposition::Member: return "member";
    case Disposition::Unreadable: return "unreadable";
    case Disposition::NotDmirror: return "not-dmirror";
    case Disposition::Foreign: return "foreign";
    case Disposition::NotInTable: return "not-in-table";
    case Disposition::Duplicate: return "duplicate";
    case Disposition::Geometry: return "geometry";
    case Disposition::ForeignSignature: return "foreign-signature";
    case Disposition::Spare: return "spare";
  }
  return "unknown";
}

std::string_view slot_state_name(SlotState s) {
  switch (s) {
    case SlotState::InSync: return "in_sync";
    case SlotState::Rebuilding: return "rebuilding";
    case SlotState::Stale: return "stale";
    case SlotState::Missing: return "missing";
    case SlotState::Failed: return "failed";
  }
  return "unknown";
}

std::string_view recovery_name(Recovery r) {
  switch (r) {
    case Recovery::None: return "none";
    case Recovery::Journal: return "journal";
    case Recovery::Full: return "full";
  }
  return "unknown";
}

const SlotView* Assembly::slot(uint32_t s) const {
  for (const auto& v : slots)
    if (v.slot == s) return &v;
  return nullptr;
}

std::vector<uint32_t> Assembly::in_sync_slots() const {
  std::vector<uint32_t> out;
  for (const auto& v : slots)
    if (v.state == SlotState::InSync) out.push_back(v.slot);
  return out;
}

std::vector<uint32_t> Assembly::recovering_slots() const {
  std::vector<uint32_t> out;
  for (const auto& v : slots)
    if (v.leg >= 0 && (v.state == SlotState::Stale || v.state == SlotState::Rebuilding)) out.push_back(v.slot);
  return out;
}

}  // namespace dmirror
