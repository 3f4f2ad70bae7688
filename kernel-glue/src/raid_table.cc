// SPDX-License-Identifier: LGPL-2.1-or-later
// Formatter and parser of `raid raid1` table parameters (docs/kernel-facts.md §2.1).
#include <dmirror/dm/raid_table.h>
#include <dmirror/dm/simple_targets.h>

#include "text_util.h"

#include <algorithm>
#include <cctype>

namespace dmirror::dm {
namespace {

constexpr uint32_t kMaxRaidDevices = 253;

std::unexpected<Error> invalid(const std::string& why) {
  return make_error(ErrorCode::InvalidArgument, "raid1 table: " + why);
}

Status check_slot(const Raid1Params& p, uint32_t slot, const char* what) {
  if (slot >= p.legs.size())
    return invalid(std::string(what) + " slot " + std::to_string(slot) + " out of range");
  if (p.legs[slot].missing())
    return invalid(std::string(what) + " slot " + std::to_string(slot) + " has no device");
  return ok();
}

std::string dev_or_dash(const std::optional<DevNumber>& d) { return d ? d->str() : "-"; }

}  // namespace

Result<std::string> format_raid1_params(const Raid1Params& p) {
  if (p.legs.empty() || p.legs.size() > kMaxRaidDevices) return invalid("1..253 legs required");
  for (size_t i = 0; i < p.legs.size(); ++i)
    if (p.legs[i].meta && !p.legs[i].data)
      return invalid("slot " + std::to_string(i) + " has a metadata device but no data device");
  if (p.nosync && (p.sync || !p.rebuild.empty())) return invalid("nosync excludes sync and rebuild");
  for (auto r : p.rebuild) DMIRROR_RETURN_IF_ERROR(check_slot(p, r, "rebuild"));
  for (auto r : p.write_mostly) DMIRROR_RETURN_IF_ERROR(check_slot(p, r, "write_mostly"));
  if (!p.write_mostly.empty()) {
    std::vector<uint32_t> wm = p.write_mostly;
    std::sort(wm.begin(), wm.end());
    wm.erase(std::unique(wm.begin(), wm.end()), wm.end());
    if (wm.size() >= p.legs.size()) return invalid("not every leg may be write_mostly");
  }
  if (p.max_write_behind && *p.max_write_behind > 2 * 16383) return invalid("max_write_behind > 32766 sectors");
  if (p.region_size && (*p.region_size == 0 || (*p.region_size & (*p.region_size - 1))))
    return invalid("region_size must be a power of two (sectors)");
  if (p.min_recovery_rate && p.max_recovery_rate && *p.max_recovery_rate < *p.min_recovery_rate)
    return invalid("max_recovery_rate below min_recovery_rate");

  std::vector<std::string> words{std::to_string(p.chunk_size)};
  auto kv = [&](const char* k, uint64_t v) {
    words.emplace_back(k);
    words.push_back(std::to_string(v));
  };
  if (p.sync) words.emplace_back("sync");
  if (p.nosync) words.emplace_back("nosync");
  for (auto r : p.rebuild) kv("rebuild", r);
  if (p.daemon_sleep) kv("daemon_sleep", *p.daemon_sleep);
  if (p.min_recovery_rate) kv("min_recovery_rate", *p.min_recovery_rate);
  if (p.max_recovery_rate) kv("max_recovery_rate", *p.max_recovery_rate);
  for (auto r : p.write_mostly) kv("write_mostly", r);
  if (p.max_write_behind) kv("max_write_behind", *p.max_write_behind);
  if (p.region_size) kv("region_size", *p.region_size);
  for (const auto& [k, v] : p.other) {
    words.push_back(k);
    words.push_back(v);
  }

  std::string out = "raid1 " + std::to_string(words.size());
  for (const auto& w : words) out += " " + w;
  out += " " + std::to_string(p.legs.size());
  for (const auto& leg : p.legs) out += " " + dev_or_dash(leg.meta) + " " + dev_or_dash(leg.data);
  return out;
}

Result<TargetLine> raid1_target(uint64_t length, const Raid1Params& params) {
  if (length == 0) return invalid("zero length");
  DMIRROR_ASSIGN_OR_RETURN(std::string text, format_raid1_params(params));
  return TargetLine{0, length, "raid", std::move(text)};
}

Result<Raid1Params> parse_raid1_params(std::string_view params) {
  auto w = text::split_words(params);
  auto bad = [&](const std::string& why) {
    return make_error(ErrorCode::Corruption, "unparsable raid1 table '" + std::string(params) + "': " + why);
  };
  if (w.size() < 3 || w[0] != "raid1") return bad("not a raid1 table");
  auto nparams = text::parse_uint<size_t>(w[1]);
  if (!nparams || *nparams < 1 || 2 + *nparams >= w.size()) return bad("bad #raid_params");
  Raid1Params p;
  auto chunk = text::parse_uint<uint32_t>(w[2]);
  if (!chunk) return bad("bad chunk size");
  p.chunk_size = *chunk;
  size_t end = 2 + *nparams;
  for (size_t i = 3; i < end; ++i) {
    std::string key(w[i]);
    std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
    if (key == "sync") { p.sync = true; continue; }
    if (key == "nosync") { p.nosync = true; continue; }
    if (i + 1 >= end) return bad("keyword " + key + " without a value");
    std::string_view val = w[++i];
    auto num = text::parse_uint(val);
    // The kernel echoes a write-mostly leg by its md slot, -1 once md has
    // failed and removed it (dm-raid raid_status): no position to record.
    if (key == "write_mostly" && val == "-1") continue;
    if (key == "rebuild" && num) p.rebuild.push_back(static_cast<uint32_t>(*num));
    else if (key == "write_mostly" && num) p.write_mostly.push_back(static_cast<uint32_t>(*num));
    else if (key == "daemon_sleep" && num) p.daemon_sleep = static_cast<uint32_t>(*num);
    else if (key == "min_recovery_rate" && num) p.min_recovery_rate = *num;
    else if (key == "max_recovery_rate" && num) p.max_recovery_rate = *num;
    else if (key == "max_write_behind" && num) p.max_write_behind = static_cast<uint32_t>(*num);
    else if (key == "region_size" && num) p.region_size = *num;
    else if (key == "rebuild" || key == "write_mostly" || key == "daemon_sleep" || key == "region_size" ||
             key.ends_with("recovery_rate") || key == "max_write_behind")
      return bad("bad value for " + key);
    else p.other.emplace_back(key, std::string(val));
  }
  auto ndevs = text::parse_uint<size_t>(w[end]);
  if (!ndevs || w.size() != end + 1 + 2 * *ndevs) return bad("device list does not match #raid_devs");
  for (size_t i = 0; i < *ndevs; ++i) {
    RaidLeg leg;
    for (int k = 0; k < 2; ++k) {
      std::string_view t = w[end + 1 + 2 * i + k];
      if (t == "-") continue;
      auto dev = parse_dev_number(t);
      if (!dev) return bad("bad device '" + std::string(t) + "'");
      (k == 0 ? leg.meta : leg.data) = *dev;
    }
    p.legs.push_back(leg);
  }
  return p;
}

}  // namespace dmirror::dm
