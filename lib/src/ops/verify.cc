// SPDX-License-Identifier: LGPL-2.1-or-later
// verify(): metadata checks, then the data of the in-sync legs compared
// chunk by chunk (all regions, or only dirty ones with `quick`), with
// optional repair (see verify.h). Reads run ahead of the comparison
// through an IoQueue (io_uring on fd-backed legs).
#include <dmirror/array_lock.h>
#include <dmirror/verify.h>

#include "engine/io_queue.h"
#include "ops/chunk_reader.h"
#include "ops/compare.h"
#include "ops/leg_io.h"
#include "ops/read_heal.h"
#include "ops/resync_core.h"
#include "ops/source_choice.h"
#include "ops/throttle.h"
#include "ops/verify_internal.h"

namespace dmirror {

Result<VerifyReport> verify(std::span<BlockDevice* const> legs, const VerifyOptions& o) {
  // The metadata is judged by the one assembly, as status judges it.
  DMIRROR_ASSIGN_OR_RETURN(auto probes, engine::LegSet::probe(legs));
  // A live writer (a scrub running, say) is named, and its checkpoint is
  // not taken for an interrupted run (FORMAT.md 2.6 rule 16).
  AssembleOptions ao;
  {
    std::vector<std::string> names;
    for (BlockDevice* l : legs)
      if (l) names.push_back(l->describe());
    ao.in_use = find_array_writer(names);
  }
  DMIRROR_ASSIGN_OR_RETURN(Assembly assembly, assemble_array(probes, ao));
  VerifyReport rep;
  rep.sb = assembly.sb;
  rep.assembly = assembly;
  if (o.repair && assembly.sb.has_flag(sbflag::kKernelOwnsSync))
    return make_error(ErrorCode::Busy, "an online volume owns this array; deactivate it before repairing");
  auto made = engine::LegSet::from_assembly(std::move(assembly), legs);
  if (!made) {
    // A split brain, a duplicate or foreign leg: a repair is refused as
    // every writer refuses it; a check reports the assembly's findings (no
    // legs to compare until it is settled).
    if (o.repair) return std::unexpected(made.error());
    rep.findings.push_back({Severity::Warning, "nothing-to-compare",
                            "the data was not compared: " + made.error().message, "", -1});
    return rep;
  }
  engine::LegSet& set = *made;
  set.set_read_only(!o.repair);
  // Rule 11: a repair's commit would record an absent member missing.
  if (o.repair) {
    set.set_consent(o.degraded, kNoSlot, "repairing");
    DMIRROR_RETURN_IF_ERROR(set.check_consent());
  }
  ops::verify_metadata(set, rep.findings);

  if (o.repair && o.choice.from_slot != kNoSlot)
    DMIRROR_RETURN_IF_ERROR(ops::check_chosen_source(
        set, o.choice.from_slot, "Name an in-sync leg with --from, or run `dmirrorctl resync` to bring it back first"));
  // A repair of an unclean array settles the crash window first, as scrub
  // does (FORMAT.md 2.6 rule 21).
  if (o.repair && set.sb().has_flag(sbflag::kDirty)) {
    ResyncOptions ro;
    ro.recover = false;
    ro.source_slot = o.choice.from_slot;
    ro.report_differences = true;
    DMIRROR_RETURN_IF_ERROR(ops::check_vote_possible(set, ro));
    if (!set.journals_loaded()) DMIRROR_RETURN_IF_ERROR(set.load_journals());
    DMIRROR_ASSIGN_OR_RETURN(auto settled, ops::resync_legs(set, ro, /*dirty_only=*/true));
    rep.findings.insert(rep.findings.end(), settled.findings.begin(), settled.findings.end());
    for (auto& m : ops::settled_mismatches(set, settled)) {
      ++rep.repaired;
      rep.findings.push_back(mismatch_finding(m));
      rep.mismatches.push_back(std::move(m));
    }
  }
  std::vector<uint32_t> slots = set.in_sync_slots();
  if (slots.size() < 2) {
    rep.findings.push_back({Severity::Warning, "nothing-to-compare",
                            "fewer than two in-sync legs: the data cannot be compared", "", -1});
    return rep;
  }
  const Superblock& sb = set.sb();
  const uint64_t rs = sb.region_size, size = sb.layout.data_size;
  std::vector<uint64_t> regions;
  if (o.quick) {
    if (set.journals_loaded()) regions = set.dirty_regions();
  } else {
    for (uint64_t r = 0; r < sb.nr_regions; ++r) regions.push_back(r);
  }
  ops::Comparator cmp(set, o.chunk_bytes);
  ops::Throttle th(o.control, "verify", regions.size() * rs);
  std::vector<uint32_t> touched;
  // Every leg's chunks are read ahead, concurrently, while earlier ones
  // are compared; regions are walked in order, chunk by chunk.
  std::vector<BlockDevice*> devs;
  for (uint32_t s : slots) devs.push_back(set.dev(s));
  auto queue = engine::make_io_queue(devs);
  size_t ri = 0;
  uint64_t next_pos = regions.empty() ? 0 : regions[0] * rs;
  auto next_range = [&](uint64_t& pos, uint64_t& len) {
    if (ri >= regions.size()) return false;
    const uint64_t end = std::min(size, (regions[ri] + 1) * rs);
    pos = next_pos;
    len = std::min(cmp.chunk(), end - pos);
    next_pos += len;
    if (next_pos >= end && ++ri < regions.size()) next_pos = regions[ri] * rs;
    return true;
  };
  ops::ChunkReader reader(set, *queue, slots, cmp.chunk(), next_range);
  DMIRROR_RETURN_IF_ERROR(reader.status());
  // Read-only: read errors are findings. --repair: they are healed like scrub heals them.
  ops::ReadHealer healer(set, o.repair, o.choice.from_slot);
  uint64_t corrected = 0;
  while (ops::Chunk* c = reader.next_mutable()) {
    const uint64_t pos = c->pos, len = c->len;
    const uint64_t region = pos / rs, end = std::min(size, (region + 1) * rs);
    std::erase_if(slots, [&](uint32_t s) { return !set.in_sync(s); });
    ops::HealResult heal;
    DMIRROR_RETURN_IF_ERROR(healer.heal(*c, slots, heal, rep.findings));
    corrected += heal.corrected;
    const std::vector<uint32_t> compared = heal.compared(slots);
    if (!heal.skip_compare && compared.size() >= 2) {
      rep.bytes_compared += len * compared.size();
      if (auto res = cmp.compare(*c, compared, o.choice, heal.copies)) {
        Mismatch m = std::move(*res);
        if (o.repair && m.source_slot != kNoSlot) {
          std::vector<engine::LegError> errors;
          m.repaired = cmp.repair(m, errors);
          if (m.repaired) ++rep.repaired;
          DMIRROR_RETURN_IF_ERROR(ops::settle_errors(set, errors, slots));
          for (uint32_t s : m.differ)
            if (set.in_sync(s)) touched.push_back(s);   // written: flushed at the end
        }
        rep.findings.push_back(mismatch_finding(m));
        rep.mismatches.push_back(std::move(m));
      }
    }
    if (pos + len < end) continue;
    ++rep.regions_compared;
    if (auto st = th.tick(end - region * rs); !st) return std::unexpected(st.error());
  }
  if (o.repair && (!touched.empty() || corrected)) {
    std::vector<engine::LegError> errors;
    ops::flush_targets(set, touched, errors);
    DMIRROR_RETURN_IF_ERROR(ops::settle_errors(set, errors, touched));
    set.record_event(EventType::VerifyFinished, kNoSlot, {rep.findings.size(), rep.mismatches.size()},
                     "verify --repair: " + std::to_string(rep.mismatches.size()) + " mismatches, " +
                         std::to_string(rep.repaired) + " repaired, " + std::to_string(corrected) +
                         " unreadable blocks rewritten");
    DMIRROR_RETURN_IF_ERROR(set.commit());
  }
  return rep;
}

}  // namespace dmirror
