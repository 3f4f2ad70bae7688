// SPDX-License-Identifier: LGPL-2.1-or-later
// create_array(): writes the metadata of a new array planned by
// plan_create(). Order matters for crash safety: wipe foreign signatures,
// zero the metadata area, write the journal and the Created event, flush,
// and only then write the superblocks (seqno 1) — until that last step no
// leg looks like a dmirror leg.
#include <dmirror/array.h>
#include <dmirror/generation.h>
#include <dmirror/journal.h>
#include <dmirror/names.h>

#include <ctime>
#include <vector>

namespace dmirror {
namespace {

// Journal, events, and the first 8 KiB of the kernel metadata area (so
// dm-raid sees a fresh superblock and bitmap: first use).
constexpr uint64_t kZeroEnd = kKmetaOffset + 8 * 1024;

Status zero_range(BlockDevice& dev, uint64_t begin, uint64_t end) {
  std::vector<std::byte> zeros(256 * 1024);
  for (uint64_t off = begin; off < end;) {
    const uint64_t n = std::min<uint64_t>(zeros.size(), end - off);
    DMIRROR_RETURN_IF_ERROR(dev.write(off, std::span<const std::byte>(zeros.data(), n)));
    off += n;
  }
  return ok();
}

Superblock base_superblock(const CreatePlan& plan, const CreateOptions& opts) {
  Superblock sb;
  sb.array_uuid = opts.array_uuid.is_nil() ? random_uuid() : opts.array_uuid;
  sb.name = opts.name;
  sb.ctime = sb.utime = static_cast<uint64_t>(std::time(nullptr));
  sb.seqno = 1;
  sb.compat = feature::kCompatCurrent;
  sb.incompat = feature::kIncompatCurrent;
  sb.generation = random_generation();   // FORMAT.md 2.6 rule 19; empty history
  sb.journal_kept_since = 0;   // nothing was ever written: every leg image is covered
  sb.nr_legs = static_cast<uint32_t>(plan.legs.size());
  sb.logical_block_size = plan.logical_block_size;
  sb.region_size = plan.region_size;
  sb.nr_regions = plan.nr_regions;
  sb.layout = plan.layout;
  sb.kernel = opts.kernel;
  sb.degraded_timeout = opts.degraded_timeout;   // compat BOOT_POLICY (kCompatCurrent)
  if (opts.assume_clean) sb.flags |= sbflag::kAssumeClean;
  sb.resync_offset = opts.assume_clean ? kOffsetInSync : 0;
  for (size_t i = 0; i < plan.legs.size(); ++i) {
    LegEntry& e = sb.legs[i];
    e.uuid = random_uuid();
    e.state = LegState::InSync;
    e.state_seq = 1;
    e.recovery_offset = kOffsetInSync;
    e.device_size = plan.legs[i].size;
  }
  for (uint32_t slot : opts.write_mostly) sb.legs[slot].flags |= legflag::kWriteMostly;
  return sb;
}

Event created_event(const Superblock& sb) {
  Event ev;
  ev.seq = 1;
  ev.time = sb.ctime;
  ev.type = EventType::Created;
  ev.args[0] = sb.nr_legs;
  ev.args[1] = sb.region_size;
  ev.detail = "created '" + sb.name + "' with " + std::to_string(sb.nr_legs) + " legs, " +
              format_size(sb.layout.data_size) + " of data, region size " + format_size(sb.region_size) +
              (sb.has_flag(sbflag::kAssumeClean) ? ", assumed clean" : ", initial resync pending");
  return ev;
}

}  // namespace

Result<CreatedArray> create_array(const CreatePlan& plan, const CreateOptions& opts) {
  if (plan.legs.size() != opts.legs.size()) {
    return make_error(ErrorCode::Internal, "create_array: the plan does not match the options");
  }
  for (const auto& leg : plan.legs) {
    if (!leg.signatures.empty()) DMIRROR_RETURN_IF_ERROR(wipe_signatures(leg.path));
  }
  std::vector<std::unique_ptr<BlockDevice>> devs;
  for (const auto& leg : plan.legs) {
    DMIRROR_ASSIGN_OR_RETURN(auto dev, open_device(leg.path, OpenOptions{.writable = true, .exclusive = true}));
    if (dev->geometry().size_bytes < plan.layout.data_offset + plan.layout.data_size) {
      return make_error(ErrorCode::TooSmall, leg.path + " shrank since the checks; nothing was written to it");
    }
    devs.push_back(std::move(dev));
  }

  const Superblock base = base_superblock(plan, opts);
  WriteIntentJournal journal = WriteIntentJournal::create(base);
  const Event created = created_event(base);
  for (auto& dev : devs) {
    DMIRROR_RETURN_IF_ERROR(zero_range(*dev, 0, kZeroEnd));
    DMIRROR_RETURN_IF_ERROR(journal.write_pending(*dev, true));
    DMIRROR_RETURN_IF_ERROR(write_event(*dev, base, created));
    DMIRROR_RETURN_IF_ERROR(dev->flush());
  }
  journal.commit_written();

  for (size_t i = 0; i < devs.size(); ++i) {
    Superblock sb = base;
    sb.slot = static_cast<uint32_t>(i);
    sb.leg_uuid = sb.legs[i].uuid;
    DMIRROR_RETURN_IF_ERROR(write_superblocks(*devs[i], sb));
  }
  for (auto& dev : devs) DMIRROR_RETURN_IF_ERROR(dev->flush());

  CreatedArray out;
  out.sb = base;
  out.sb.leg_uuid = base.legs[0].uuid;
  return out;
}

}  // namespace dmirror
