// SPDX-License-Identifier: LGPL-2.1-or-later
// Offline verify: an fsck for an unassembled mirror. Read-only unless
// `repair` is set. The metadata — both superblock copies of every leg,
// membership, each leg's role, split brain, the journals, the health — is
// judged by the one assembly (assembly.h), exactly as status judges it;
// verify then compares the data of the in-sync legs (`quick`: only regions
// dirty in the journal). Every data mismatch is located (offset, length, which legs
// agree, which differ, a content hash per leg) and classified:
//   crash-window   the region is dirty in the journal: a write was in
//                  flight at a crash; resync settles it, no data was lost
//   never-synced   the initial sync has not reached it (resync_offset):
//                  not corruption (an --assume-clean array has no such
//                  region: the administrator said the legs were equal)
//   corruption     clean in the journal and in sync, yet different
#pragma once

#include <dmirror/assembly.h>
#include <dmirror/block_device.h>
#include <dmirror/export.h>
#include <dmirror/findings.h>
#include <dmirror/progress.h>
#include <dmirror/result.h>
#include <dmirror/superblock.h>

#include <algorithm>
#include <span>
#include <string>
#include <vector>

namespace dmirror {

enum class MismatchClass { CrashWindow = 0, NeverSynced = 1, Corruption = 2 };
DMIRROR_EXPORT std::string_view mismatch_class_name(MismatchClass c);

struct LegDigest {
  uint32_t slot = 0;
  uint32_t crc32c = 0;            // of [offset, offset + length) on that leg
};

struct Mismatch {
  uint64_t region = 0;
  uint64_t offset = 0;            // bytes into the data area, sector aligned
  uint64_t length = 0;            // the differing span, sector aligned
  std::vector<uint32_t> agree;    // slots holding the content chosen as right
  std::vector<uint32_t> differ;   // the others
  std::vector<LegDigest> digests;
  MismatchClass cls = MismatchClass::Corruption;
  uint32_t source_slot = kNoSlot; // content chosen from this slot; kNoSlot: no evidence, left alone
  std::string source_reason;      // "strict majority (2 of 3 legs)", "chosen by the operator (--from 1)", ...
  bool repaired = false;
};

// Which leg's content wins when legs differ.
struct RepairChoice {
  // Explicit choice. Otherwise a strict majority; else, in a region dirty in
  // the journal or not yet reached by the initial sync, the lowest in-sync
  // slot; else nothing is repaired (no evidence for any copy).
  uint32_t from_slot = kNoSlot;
};

struct VerifyOptions {
  bool quick = false;             // metadata + regions dirty in the journal only
  bool repair = false;            // rewrite differing legs (see RepairChoice) and unreadable blocks
  RepairChoice choice;
  uint64_t chunk_bytes = 1024 * 1024;
  // A repair with an in-sync (replacing, rebuilding) member absent records
  // it missing (FORMAT.md 2.6 rule 11): refused (Refused) without it.
  bool degraded = false;
  OpControl control;
};

struct VerifyReport {
  Superblock sb;                  // newest superblock
  // The array as the one assembly judged the legs given (roles, health,
  // conditions; its findings are the metadata findings, as status shows them).
  Assembly assembly;
  // What the run itself found: one per mismatch, read errors, an
  // interrupted operation, the data not compared and why.
  Findings findings;
  std::vector<Mismatch> mismatches;
  uint64_t regions_compared = 0;
  uint64_t bytes_compared = 0;
  uint64_t repaired = 0;
  Severity worst() const { return std::max(dmirror::worst(assembly.findings), dmirror::worst(findings)); }
};

// Errors only when the legs cannot be assembled at all (no leg of an array,
// an unknown incompat feature) or a repair is refused; everything else —
// a split brain too: nothing is compared then — is a finding.
DMIRROR_EXPORT Result<VerifyReport> verify(std::span<BlockDevice* const> legs, const VerifyOptions& options = {});

// Finding text for one mismatch (also used by scrub).
DMIRROR_EXPORT Finding mismatch_finding(const Mismatch& m);

}  // namespace dmirror
