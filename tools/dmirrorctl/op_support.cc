// SPDX-License-Identifier: LGPL-2.1-or-later
// Helpers for the operation commands (see op_support.h).
#include "op_support.h"

#include "array_args.h"
#include "escape.h"
#include "offline_import.h"

#include <dmirror/array.h>
#include <dmirror/leg.h>
#include <dmirror/names.h>

#include <fmt/format.h>

#include <charconv>
#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace dmirror::cli {
namespace {

std::atomic<bool> g_cancel{false};
void on_cancel(int) { g_cancel = true; }

std::string duration(uint64_t s) {
  if (s >= 3600) return fmt::format("{}h{:02}m", s / 3600, s / 60 % 60);
  if (s >= 60) return fmt::format("{}m{:02}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

}  // namespace

Result<std::vector<std::string>> resolve_legs(const std::vector<std::string>& args) {
  // An array last active online: take the kernel's view first (offline_import.h).
  if (args.size() != 1 || !is_array_key(args[0])) {
    DMIRROR_RETURN_IF_ERROR(import_kernel_view(args));
    return args;
  }
  DMIRROR_ASSIGN_OR_RETURN(auto paths, legs_of_array(args[0]));
  DMIRROR_RETURN_IF_ERROR(import_kernel_view(paths));
  return paths;
}

const std::atomic<bool>* install_cancel_handler() {
  struct sigaction sa {};
  sa.sa_handler = on_cancel;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  return &g_cancel;
}

void request_cancel() { g_cancel = true; }

ProgressFn progress_printer(const Context& ctx) {
  if (ctx.json || !::isatty(STDERR_FILENO)) return nullptr;
  return [](const Progress& p) {
    double pct = p.total_bytes ? 100.0 * static_cast<double>(p.done_bytes) / static_cast<double>(p.total_bytes) : 100.0;
    std::string rate = p.rate_bytes_per_sec > 0 ? format_size(static_cast<uint64_t>(p.rate_bytes_per_sec)) + "/s" : "-";
    std::string eta = p.eta_seconds ? duration(*p.eta_seconds) : "unknown";
    int filled = static_cast<int>(pct / 5);
    std::fprintf(stderr, "\r%-7s [%-20s] %5.1f%%  %s  ETA %s   ", p.phase.c_str(), std::string(filled, '#').c_str(),
                 pct, rate.c_str(), eta.c_str());
    std::fflush(stderr);
  };
}

void end_progress(const Context& ctx) {
  if (!ctx.json && ::isatty(STDERR_FILENO)) std::fprintf(stderr, "\n");
}

Json mismatch_json(const Mismatch& m) {
  Json j;
  j["region"] = m.region;
  j["offset"] = m.offset;
  j["length"] = m.length;
  j["class"] = std::string(mismatch_class_name(m.cls));
  j["agree"] = m.agree;
  j["differ"] = m.differ;
  Json d = Json::object();
  for (const auto& x : m.digests) d[std::to_string(x.slot)] = fmt::format("{:08x}", x.crc32c);
  j["crc32c"] = d;
  j["source_slot"] = m.source_slot == kNoSlot ? Json(nullptr) : Json(m.source_slot);
  j["source_reason"] = m.source_reason;
  j["repaired"] = m.repaired;
  return j;
}

void print_findings_text(const Findings& findings) {
  for (const auto& f : findings)
    fmt::print("{:<8} {}{}\n", severity_name(f.severity), f.leg.empty() ? "" : printable(f.leg) + ": ", printable_message(f.message));
}

Result<uint32_t> parse_leg_choice(const std::string& text, const std::vector<std::string>& paths) {
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) {
    // A slot number: it must name a slot in use in the array's leg table.
    uint32_t slot = kMaxLegs;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), slot);
    (void)end;
    for (const auto& p : paths) {
      auto dev = open_device(p, OpenOptions{.writable = false, .exclusive = false});
      auto meta = dev ? read_leg(**dev) : Result<LegMetadata>(std::unexpected(dev.error()));
      if (!meta) continue;
      const Superblock& sb = meta->sb;
      if (ec != std::errc() || slot >= sb.nr_legs || sb.legs[slot].state == LegState::Unused ||
          sb.legs[slot].state == LegState::Removed) {
        return make_error(ErrorCode::InvalidArgument, "slot " + text + " is not a leg of array '" + sb.name +
                                                          "' (its slots are 0 to " + std::to_string(sb.nr_legs - 1) +
                                                          "); give a slot number or the path of one of the legs");
      }
      return slot;
    }
    if (ec != std::errc() || slot >= kMaxLegs)
      return make_error(ErrorCode::InvalidArgument, "slot " + text + " is out of range (0 to " +
                                                        std::to_string(kMaxLegs - 1) + ")");
    return slot;
  }
  for (const auto& p : paths) {
    if (p != text) continue;
    DMIRROR_ASSIGN_OR_RETURN(auto dev, open_device(p, OpenOptions{.writable = false, .exclusive = false}));
    DMIRROR_ASSIGN_OR_RETURN(auto meta, read_leg(*dev));
    return meta.sb.slot;
  }
  return make_error(ErrorCode::InvalidArgument, "--from " + text + ": give a slot number or the path of one of the legs");
}

}  // namespace dmirror::cli
