// SPDX-License-Identifier: LGPL-2.1-or-later
// `dmirrorctl io write|read NAME|LEG... --offset X [--from FILE | --to FILE]
// [--length N] [--prefer SLOT] [--heal]`: put data through the userspace
// mirror engine, for demos and tests (the write path, leg failures,
// recovery after a crash, the read path's healing of unreadable blocks).
#include "array_lock_cli.h"
#include "commands.h"
#include "escape.h"
#include "exit_codes.h"
#include "health_text.h"
#include "op_support.h"
#include "journal_log.h"

#include <dmirror/engine.h>
#include <dmirror/names.h>

#include <fmt/format.h>
#include <syslog.h>
#include <fmt/ranges.h>

#include <cstring>
#include <fstream>
#include <optional>
#include <iterator>

namespace dmirror::cli {
namespace {

struct IoArgs {
  std::vector<std::string> legs;
  std::string offset = "0", length, from, to;
  bool no_close = false;
  bool degraded = false;
  bool heal = false;                 // io read: open for writing, heal read errors
  uint32_t prefer = kNoSlot;         // io read: the leg read first
};

// Slots the table records as not holding current data (missing, failed,
// rebuilding), for the warning after a degraded write.
std::vector<std::string> degraded_slots(const Superblock& sb) {
  std::vector<std::string> out;
  for (uint32_t i = 0; i < sb.nr_legs; ++i) {
    LegState s = sb.legs[i].state;
    if (s == LegState::Missing || s == LegState::Failed || s == LegState::Rebuilding)
      out.push_back(fmt::format("slot {} is {}", i, leg_state_name(s)));
  }
  return out;
}

// io read --prefer SLOT: a slot of the array (else a usage error) whose leg
// is present and in sync (else a refusal: it cannot serve the reads).
Status check_preferred(const Mirror& m, uint32_t prefer) {
  const Superblock sb = m.superblock();
  std::vector<std::string> in_sync;
  for (const auto& l : m.legs())
    if (l.state == LegState::InSync && !l.device.empty()) in_sync.push_back(std::to_string(l.slot));
  const std::string choose = in_sync.empty() ? std::string("leave out --prefer")
                                             : "give one of the in-sync slots (" + fmt::format("{}", fmt::join(in_sync, ", ")) + ")";
  if (prefer >= sb.nr_legs || sb.legs[prefer].state == LegState::Unused || sb.legs[prefer].state == LegState::Removed)
    return make_error(ErrorCode::InvalidArgument, fmt::format("--prefer {}: array '{}' has no leg in slot {} (its slots "
                                                              "are 0 to {}); {}",
                                                              prefer, printable(sb.name), prefer, sb.nr_legs - 1, choose));
  for (const auto& l : m.legs()) {
    if (l.slot != prefer) continue;
    if (l.state == LegState::InSync && !l.device.empty()) return ok();
    const std::string why = l.device.empty() ? "is not among the legs given" : fmt::format("is {}", leg_state_name(l.state));
    return make_error(ErrorCode::Refused,
                      fmt::format("--prefer {}: slot {} {}, so it cannot serve reads; {}", prefer, prefer, why, choose));
  }
  return make_error(ErrorCode::Refused, fmt::format("--prefer {}: slot {} is not present; {}", prefer, prefer, choose));
}

int run_io(const Context& ctx, const IoArgs& a, bool write) {
  // Usage errors before anything is opened (a healing read writes).
  if (!write && ctx.json && a.to.empty())
    return report_failure(ctx, "invalid command line", ErrorCode::InvalidArgument,
                          "--json with io read needs --to FILE (the data would mix with the JSON)");
  auto off = parse_size(a.offset);
  if (!off) return report_error(ctx, "invalid --offset", off.error());
  // A healing read writes (the rewritten blocks, the counters).
  const bool writable = write || a.heal;
  auto paths = resolve_legs(a.legs);
  if (!paths) return report_error(ctx, "cannot find the array", paths.error());
  std::optional<ArrayLock> held;   // a writable session commits metadata; a plain read takes no lock
  if (writable) {
    auto l = lock_array_at(*paths);
    if (!l) return report_error(ctx, "cannot lock the array", l.error());
    held.emplace(std::move(*l));
  }
  auto legs = open_legs(*paths, OpenLegsOptions{.writable = writable});
  if (!legs) return report_error(ctx, "cannot open the legs", legs.error());
  // A write that will be refused (no input, a range the volume does not
  // have) is refused before the writable open: that open recovers a dirty
  // array, and a refused command writes nothing.
  std::vector<char> raw;
  if (write) {
    std::ifstream in(a.from, std::ios::binary);
    if (!in) return report_failure(ctx, "cannot read " + a.from, ErrorCode::NotFound, "open failed");
    raw.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (auto probe = Mirror::open(legs->devices(), MirrorOptions{.read_only = true, .allow_degraded = true})) {
      const uint64_t bs = (*probe)->block_size(), size = (*probe)->size();
      const uint64_t len = (raw.size() + bs - 1) / bs * bs;
      if (*off % bs != 0)
        return report_failure(ctx, "write failed", ErrorCode::InvalidArgument,
                              fmt::format("offset {} must be a multiple of {} bytes (the array's block size)", *off, bs));
      if (*off > size || len > size - *off)
        return report_failure(ctx, "write failed", ErrorCode::InvalidArgument,
                              fmt::format("range {}+{} is beyond the end of the volume ({} bytes)", *off, len, size));
    }
  }
  auto m = Mirror::open(legs->devices(), MirrorOptions{.read_only = !writable,
                                                       .allow_degraded = a.degraded,
                                                       .read_policy = a.prefer == kNoSlot ? ReadPolicy::RoundRobin
                                                                                          : ReadPolicy::Preferred,
                                                       .preferred_slot = a.prefer,
                                                       .io_engine = IoEngineKind::Threads});
  if (!m) return report_error(ctx, "cannot open the mirror", m.error());
  // The writable open recovered a dirty array; where a majority outvoted
  // the source (rule 21) a leg's copy was corrected (exit 1).
  const int recovered_bits = warn_vote_notes((*m)->findings()) ? kExitCorrected : kExitOk;
  if (!write && a.prefer != kNoSlot)
    if (auto st = check_preferred(**m, a.prefer); !st) return report_error(ctx, "cannot read", st.error());
  const uint32_t bs = (*m)->block_size();
  if (write) {
    // SIGINT waits for the write, the flush and the close: killed halfway,
    // data would be on the legs and the array left dirty.
    set_writing(true);
    struct Done {
      ~Done() { set_writing(false); }
    } done;
    std::vector<std::byte> data((raw.size() + bs - 1) / bs * bs);
    if (raw.size() % bs != 0) {
      // The last block is only partly given: the rest of it keeps what the
      // array holds there (read, then overlaid), never zeros.
      const uint64_t tail = data.size() - bs;
      if (auto st = (*m)->read(*off + tail, std::span(data).subspan(tail)); !st)
        return report_error(ctx, "cannot read the last block to be partly overwritten", st.error());
    }
    std::memcpy(data.data(), raw.data(), raw.size());
    if (auto st = (*m)->write(*off, data); !st) return report_error(ctx, "write failed", st.error());
    if (auto st = (*m)->flush(); !st) return report_error(ctx, "flush failed", st.error());
    if (!a.no_close)
      if (auto st = (*m)->close(); !st) return report_error(ctx, "close failed", st.error());
    const Superblock now = (*m)->superblock();
    const auto slots = degraded_slots(now);
    if (!slots.empty()) {
      for (const auto& f : (*m)->findings())
        if (f.code == "leg-failed") log_stderr(LOG_WARNING, "dmirrorctl: warning: " + finding_subject(f) + printable_message(f.message));
      bool failed = false, missing = false;
      for (uint32_t i = 0; i < now.nr_legs; ++i) {
        failed = failed || now.legs[i].state == LegState::Failed;
        missing = missing || now.legs[i].state == LegState::Missing;
      }
      std::string what;
      if (missing) what = "run `dmirrorctl resync` once the missing leg is back";
      if (failed)
        what += std::string(what.empty() ? "" : "; ") +
                "a failed leg comes back by `dmirrorctl resync --re-add` (a full copy, once the device is healthy) "
                "or is replaced by `dmirrorctl replace`";
      if (what.empty()) what = "run `dmirrorctl resync`";
      log_stderr(LOG_WARNING, fmt::format("dmirrorctl: warning: the array is degraded ({}); its journal keeps the regions written "
                         "so that a returning leg can be recovered: {}.",
                 fmt::join(slots, ", "), what));
    }
    if (ctx.json) {
      Json doc = json_envelope();
      doc["written"] = raw.size();
      doc["offset"] = *off;
      print_json(doc);
    } else {
      fmt::print("wrote {} bytes at offset {}\n", raw.size(), *off);
    }
    if (slots.empty()) warn_if_degraded(*paths);   // e.g. a stale leg: the one assembly says
    if (interrupted()) {
      log_stderr(LOG_NOTICE, fmt::format("dmirrorctl: interrupted; the write was finished first: {} bytes at offset {} are on the "
                         "legs{}.",
                 raw.size(), *off, a.no_close ? " and the array is left open (dirty), as --no-close asks"
                                              : " and the array was closed cleanly"));
      return kExitCancelled;
    }
    return recovered_bits;
  }
  auto len = parse_size(a.length.empty() ? std::to_string(bs) : a.length);
  if (!len) return report_error(ctx, "invalid --length", len.error());
  std::vector<std::byte> buf((*len + bs - 1) / bs * bs);
  const Superblock before = (*m)->superblock();
  if (auto st = (*m)->read(*off, buf); !st) return report_error(ctx, "read failed", st.error());
  int bits = recovered_bits;
  // Data served from fewer legs than the table names (a lone leg, a slot
  // missing or failed) is said as every change command says it; after a
  // healing read, once it is closed (it may have failed a leg).
  if (!a.heal) warn_if_degraded(*paths);
  if (a.heal) {
    if (auto st = (*m)->close(); !st) return report_error(ctx, "close failed", st.error());
    // What the healing read did: blocks rewritten (exit 1), blocks left
    // alone for want of evidence (exit 4), a leg failed (a warning, as
    // every change command gives when it leaves the array degraded).
    const Superblock after = (*m)->superblock();
    for (uint32_t i = 0; i < kMaxLegs; ++i)
      if (after.counters[i].corrected > before.counters[i].corrected) bits |= kExitCorrected;
    for (const auto& f : (*m)->findings())
      if (f.code == "leg-read-error-no-evidence") {
        log_stderr(LOG_WARNING, "dmirrorctl: warning: " + finding_subject(f) + printable_message(f.message));
        bits |= kExitUncorrected;
      }
    warn_if_degraded(*paths);
  }
  if (ctx.json && a.to.empty())
    return report_failure(ctx, "invalid command line", ErrorCode::InvalidArgument,
                          "--json with io read needs --to FILE (the data would mix with the JSON)");
  std::ofstream out(a.to.empty() ? "/dev/stdout" : a.to, std::ios::binary);
  out.write(reinterpret_cast<const char*>(buf.data()), static_cast<std::streamsize>(*len));
  if (!out) return report_failure(ctx, "cannot write " + (a.to.empty() ? "stdout" : a.to), ErrorCode::Io, "write failed");
  if (ctx.json) {
    Json doc = json_envelope();
    doc["read"] = *len;
    doc["offset"] = *off;
    doc["to"] = a.to;
    doc["exit_code"] = bits;
    print_json(doc);
  }
  return bits;
}

}  // namespace

Command add_io(CLI::App& app, const Context& ctx) {
  auto a = std::make_shared<IoArgs>();
  CLI::App* sub = app.add_subcommand("io", "Write or read data through the userspace mirror engine (demos, tests)");
  sub->require_subcommand(1);
  CLI::App* w = sub->add_subcommand("write", "Write FILE at --offset, flush, and close cleanly");
  w->add_option("array", a->legs, "Array name, or the paths of its legs")->required();
  w->add_option("--offset", a->offset, "Byte offset in the volume (a multiple of the block size)");
  w->add_option("--from", a->from, "The data to write")->required();
  w->add_flag("--no-close", a->no_close, "Leave the array open (Dirty), as after a crash");
  w->add_flag("--degraded", a->degraded,
              "Write even though a leg is missing (it is recorded missing); after a crash, the dirty regions are "
              "settled with the legs present, without the absent leg's vote");
  CLI::App* r = sub->add_subcommand("read", "Read --length bytes at --offset to FILE or stdout");
  r->add_option("array", a->legs, "Array name, or the paths of its legs")->required();
  r->add_option("--offset", a->offset, "Byte offset in the volume");
  r->add_option("--length", a->length, "Bytes to read (default: one block)");
  r->add_option("--to", a->to, "Output file (default: stdout)");
  r->add_flag("--degraded", a->degraded,
              "With --heal: open for writing even though a leg is missing (it is recorded missing)");
  r->add_option("--prefer", a->prefer, "Read from this slot first (the others serve what it cannot read); in a region a crash left dirty too, "
                 "where without --prefer the copy the recovery will keep is read");
  r->add_flag("--heal", a->heal,
              "Open the array for writing: a block a leg fails to read is rewritten from the leg that served it "
              "when the other legs agree (exit 1 when a block was rewritten, 4 when one was left alone)");
  return {sub, [&ctx, a, w] { return run_io(ctx, *a, w->parsed()); }};
}

}  // namespace dmirror::cli
