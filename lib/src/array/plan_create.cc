// SPDX-License-Identifier: LGPL-2.1-or-later
// plan_create(): every check of `create`, before anything is written. The
// legs are opened writable and exclusive (so a mounted or claimed device is
// refused), compared for duplicate storage, sized, probed for foreign
// signatures and for an existing dmirror superblock.
#include <dmirror/array.h>
#include <dmirror/journal.h>
#include <dmirror/names.h>

#include <algorithm>

namespace dmirror {
namespace {

struct OpenLeg {
  std::unique_ptr<BlockDevice> dev;
  PathIdentity id;
};

Status check_leg_count(size_t n) {
  if (n < 2) {
    return make_error(ErrorCode::InvalidArgument,
                      "a mirror needs at least 2 legs, " + std::to_string(n) + " given");
  }
  if (n > kMaxLegs) {
    return make_error(ErrorCode::InvalidArgument, "a mirror can have at most " + std::to_string(kMaxLegs) +
                                                      " legs, " + std::to_string(n) + " given");
  }
  return ok();
}

// Duplicates are found before anything is opened: the kernel refuses a
// second exclusive open of the same disk (or of a partition of a claimed
// disk) with EBUSY, which would hide the real mistake.
Result<std::vector<OpenLeg>> open_legs(const std::vector<std::string>& paths) {
  std::vector<OpenLeg> legs(paths.size());
  for (size_t j = 0; j < paths.size(); ++j) {
    DMIRROR_ASSIGN_OR_RETURN(legs[j].id, identify_path(paths[j]));
    for (size_t i = 0; i < j; ++i) {
      if (same_storage(legs[i].id, legs[j].id)) {
        return make_error(ErrorCode::InvalidArgument,
                          paths[i] + " and " + paths[j] + " are the same storage; give each leg once");
      }
    }
  }
  for (size_t j = 0; j < paths.size(); ++j) {
    DMIRROR_ASSIGN_OR_RETURN(legs[j].dev, open_device(paths[j], OpenOptions{.writable = true, .exclusive = true}));
  }
  return legs;
}

Status check_signatures(LegCheck& leg, bool force) {
  DMIRROR_ASSIGN_OR_RETURN(leg.signatures, probe_signatures(leg.path));
  if (leg.signatures.empty() || force) return ok();
  std::string what;
  for (size_t i = 0; i < leg.signatures.size(); ++i) {
    if (i > 0) what += i + 1 == leg.signatures.size() ? " and " : ", ";
    what += leg.signatures[i].describe();
  }
  return make_error(ErrorCode::ForeignSignature,
                    leg.path + " contains " + what + "; creating the array would destroy it. "
                    "Use --force to wipe it");
}

Status check_membership(LegCheck& leg, BlockDevice& dev, bool force) {
  auto meta = read_leg(dev);
  if (meta) {
    leg.old_membership = meta->sb;
    if (force) return ok();
    return make_error(ErrorCode::Exists, leg.path + " is already leg " + std::to_string(meta->sb.slot) +
                                             " of array '" + meta->sb.name + "' (uuid " +
                                             meta->sb.array_uuid.str() + "); use --force to overwrite");
  }
  const Error& e = meta.error();
  if (e.code == ErrorCode::NotDmirror || force) return ok();
  if (e.code == ErrorCode::Corruption || e.code == ErrorCode::Unsupported) {
    return make_error(ErrorCode::Exists, leg.path + " carries dmirror metadata that cannot be read (" +
                                             e.describe() + "); use --force to overwrite");
  }
  return std::unexpected(e);
}

void warn_size_mismatch(CreatePlan& plan) {
  uint64_t smallest = UINT64_MAX;
  for (const auto& l : plan.legs) smallest = std::min(smallest, l.size);
  for (size_t i = 0; i < plan.legs.size(); ++i) {
    const auto& l = plan.legs[i];
    const uint64_t extra = l.size - smallest;
    if (extra > smallest / 100) {
      plan.warnings.push_back(Finding{Severity::Warning, "leg-size-mismatch",
                                      l.path + " is " + format_size(extra) + " larger than the smallest leg; " +
                                          format_size(extra) + " of it will be unused",
                                      l.path, static_cast<int64_t>(i)});
    }
  }
}

}  // namespace

Result<CreatePlan> plan_create(const CreateOptions& opts) {
  DMIRROR_RETURN_IF_ERROR(validate_array_name(opts.name));
  DMIRROR_RETURN_IF_ERROR(check_leg_count(opts.legs.size()));
  for (uint32_t slot : opts.write_mostly) {
    if (slot >= opts.legs.size()) {
      return make_error(ErrorCode::InvalidArgument,
                        "write-mostly slot " + std::to_string(slot) + " does not exist; slots are 0 to " +
                            std::to_string(opts.legs.size() - 1) + " in the order the legs are given");
    }
  }
  DMIRROR_ASSIGN_OR_RETURN(std::vector<OpenLeg> open, open_legs(opts.legs));

  CreatePlan plan;
  // Copy 2 of the superblock (FORMAT.md 1) needs the last 64 KiB-aligned
  // 64 KiB of the smallest leg past the data area.
  constexpr uint64_t kMinLeg = kDataOffset + kMinDataSize + kTailCopyAlign;
  uint64_t data_size = UINT64_MAX;
  for (size_t i = 0; i < open.size(); ++i) {
    const DeviceGeometry& g = open[i].dev->geometry();
    if (g.size_bytes < kMinLeg) {
      return make_error(ErrorCode::TooSmall, opts.legs[i] + " is too small (" + format_size_bytes(g.size_bytes) +
                                                 "); a leg needs at least " + format_size_bytes(kMinLeg) + " (" +
                                                 format_size(kDataOffset) + " of metadata and " +
                                                 format_size(kMinDataSize) + " of data, and " +
                                                 format_size(kTailCopyAlign) + " at the end for a superblock copy)");
    }
    LegCheck check;
    check.path = opts.legs[i];
    check.size = g.size_bytes;
    check.logical_block_size = g.logical_block_size;
    plan.logical_block_size = std::max(plan.logical_block_size, g.logical_block_size);
    data_size = std::min(data_size, (tail_copy_offset(g.size_bytes) - kDataOffset) / kDataAlign * kDataAlign);
    plan.legs.push_back(std::move(check));
  }
  warn_size_mismatch(plan);

  plan.region_size = opts.region_size ? opts.region_size : default_region_size(data_size);
  DMIRROR_RETURN_IF_ERROR(validate_region_size(plan.region_size, data_size, plan.logical_block_size));
  plan.nr_regions = (data_size + plan.region_size - 1) / plan.region_size;
  if (journal_bytes_needed(plan.nr_regions) > kJournalAreaSize) {
    return make_error(ErrorCode::InvalidArgument, "region size " + format_size(plan.region_size) +
                                                      " needs a journal larger than the journal area; "
                                                      "use a larger region size");
  }

  plan.layout = fixed_layout(data_size);

  for (size_t i = 0; i < open.size(); ++i) {
    DMIRROR_RETURN_IF_ERROR(check_signatures(plan.legs[i], opts.force));
    DMIRROR_RETURN_IF_ERROR(check_membership(plan.legs[i], *open[i].dev, opts.force));
  }
  return plan;
}

}  // namespace dmirror
