// SPDX-License-Identifier: LGPL-2.1-or-later
// Helpers for the operation commands (see op_support.h).
#include "op_support.h"

#include "array_args.h"
#include "escape.h"
#include "health_text.h"
#include "offline_import.h"
#include "progress_line.h"

#include <dmirror/array.h>
#include <dmirror/leg.h>
#include <dmirror/names.h>

#include <fmt/format.h>

#include <charconv>
#include <memory>
#include <csignal>
#include <cstdio>
#include <unistd.h>

namespace dmirror::cli {
namespace {

std::atomic<bool> g_cancel{false};
void on_cancel(int) { g_cancel = true; }

// The progress line of the running operation (progress_line.h).
std::unique_ptr<ProgressLine> g_progress;

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
  g_progress = std::make_unique<ProgressLine>();
  return [line = g_progress.get()](const Progress& p) { line->update(p); };
}

void end_progress(const Context&) {
  if (g_progress) g_progress->finish();
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
    fmt::print("{:<8} {}{}\n", severity_name(f.severity), finding_subject(f), printable_message(f.message));
}

std::optional<Uuid> leg_uuid_of(const std::string& text, const std::vector<std::string>& paths) {
  for (const auto& p : paths) {
    if (p != text) continue;
    auto dev = open_device(p, OpenOptions{.writable = false, .exclusive = false});
    if (!dev) return std::nullopt;
    auto meta = read_leg(**dev);
    if (!meta) return std::nullopt;
    return meta->sb.leg_uuid;
  }
  return std::nullopt;
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
      if (ec == std::errc() && slot < sb.nr_legs && sb.legs[slot].state == LegState::Removed)
        return make_error(ErrorCode::InvalidArgument, "slot " + text + " of array '" + sb.name +
                                                          "' was removed; give a slot in use or the path of a leg");
      if (ec != std::errc() || slot >= sb.nr_legs || sb.legs[slot].state == LegState::Unused) {
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
    // Its own slot means something only in its own array: a device of
    // another array given among the legs (a leg split off, a foreign leg)
    // would name that array's slot here.
    size_t same = 0, other = 0;
    for (const auto& q : paths) {
      if (q == p) continue;
      auto d = open_device(q, OpenOptions{.writable = false, .exclusive = false});
      auto m = d ? read_leg(**d) : Result<LegMetadata>(std::unexpected(d.error()));
      if (!m) continue;
      (m->sb.array_uuid == meta.sb.array_uuid ? same : other) += 1;
    }
    if (other > same)
      return make_error(ErrorCode::InvalidArgument,
                        text + " is not a leg of the array the other legs given belong to (it carries array '" +
                            meta.sb.name + "'" + (meta.sb.origin.array_uuid.is_nil() ? "" : ", split off it") +
                            "): give the slot number or the path of one of its legs");
    return meta.sb.slot;
  }
  return make_error(ErrorCode::InvalidArgument,
                    text + " is neither a slot number nor one of the legs given: give a slot number or the path of "
                           "one of the legs");
}

}  // namespace dmirror::cli
