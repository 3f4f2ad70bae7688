// SPDX-License-Identifier: LGPL-2.1-or-later
// A readable dump of the world after a step (DMIRROR_ORACLE_TRACE_SECTOR=S
// with --replay): per file its newest superblock (seqno, flags,
// journal_kept_since, leg table, generation and its history (last four
// digits), dirty journal regions) and the write it
// holds at sector S.
#include <dmirror/assembly.h>
#include <dmirror/superblock.h>

#include <string>

#include "oracle/image_file.h"
#include "oracle/sector_data.h"
#include "oracle/world.h"

namespace dmirror::oracle {

std::string World::trace_state(uint64_t sector) const {
  std::string out;
  for (size_t f = 0; f < files_.size(); ++f) {
    const LegFile& lf = files_[f];
    out += "    " + lf.path.substr(lf.path.rfind('/') + 1) + (lf.member ? " slot " + std::to_string(lf.slot) : " spare") +
           (lf.present ? "" : " (absent)");
    std::optional<Superblock> best;
    for (int c = 0; c < 2; ++c) {
      uint64_t valid = 0;
      auto bytes = read_bytes(lf.path, kSuperblockOffset[c], kSuperblockSize, &valid);
      auto d = decode_superblock(std::span<const std::byte, kSuperblockSize>(bytes.data(), kSuperblockSize),
                                 kSuperblockOffset[c]);
      if (d && (!best || d->seqno > best->seqno)) best = *d;
    }
    if (best) {
      out += ": seqno " + std::to_string(best->seqno) + " flags " + std::to_string(best->flags) + " kept_since " +
             std::to_string(best->journal_kept_since) + " own slot " + std::to_string(best->slot) + " table [";
      for (uint32_t s = 0; s < best->nr_legs; ++s) {
        const LegEntry& e = best->legs[s];
        out += (s ? " " : "") + std::to_string(s) + ":" + std::string(leg_state_name(e.state)) + "@" +
               std::to_string(e.state_seq) + ":" + e.uuid.hex().substr(0, 4);
      }
      out += "] uuid " + best->leg_uuid.hex().substr(0, 4);
      if (best->incompat & feature::kIncompatGeneration) {
        out += " gen " + std::to_string(best->generation % 10000) + " history [";
        bool first = true;
        for (const GenerationEntry& e : best->generation_history) {
          if (e.branch_seqno == 0) continue;
          out += (first ? "" : " ") + std::to_string(e.generation % 10000) + "@" + std::to_string(e.branch_seqno);
          first = false;
        }
        out += "]";
      }
      LegProbe p = probe_path(lf.path);
      if (p.journal) out += " journal dirty " + std::to_string(p.journal->dirty) + (p.journal->damaged ? " (damaged)" : "");
    } else {
      out += ": no superblock";
    }
    if (last_ && lf.member && f < last_->ids.size() && sector < last_->ids[f].size()) {
      uint64_t id = last_->ids[f][sector];
      out += "; sector " + std::to_string(sector) + ": " +
             (id == kGarbage ? std::string("garbage") : id == kAbsent ? std::string("beyond-eof") : "w" + std::to_string(id));
    }
    out += "\n";
  }
  if (last_) {
    out += "    status: " + describe(last_->status) + "\n";
    for (const Finding& f : last_->status.findings)
      if (f.severity >= Severity::Warning) out += "      " + f.code + ": " + f.message + "\n";
  }
  if (sector < model_.size()) out += "    model: newest acknowledged w" + std::to_string(model_[sector].cur) + "\n";
  return out;
}

}  // namespace dmirror::oracle
