// SPDX-License-Identifier: LGPL-2.1-or-later
// Mirror::open (assembly, unclean-shutdown recovery), close and accessors.
#include <dmirror/engine.h>
#include <dmirror/names.h>
#include <dmirror/resync.h>

#include "engine/mirror_impl.h"
#include "ops/resync_core.h"

namespace dmirror {

Mirror::Mirror(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Mirror::~Mirror() = default;

Result<std::unique_ptr<Mirror>> Mirror::open(std::span<BlockDevice* const> legs, const MirrorOptions& options) {
  DMIRROR_ASSIGN_OR_RETURN(auto set, engine::LegSet::assemble(legs));
  auto impl = std::make_unique<Impl>(std::move(set));
  impl->options = options;
  engine::LegSet& s = impl->set;
  const Superblock& sb = s.sb();
  if (requires_read_only(sb)) impl->options.read_only = true;
  s.set_read_only(impl->options.read_only);
  if (sb.has_flag(sbflag::kKernelOwnsSync) && !impl->options.read_only)
    return make_error(ErrorCode::Busy, "array '" + sb.name +
                                           "' is (or was) active as an online volume, which owns its sync state; "
                                           "deactivate it first");
  if (!s.primary())
    return make_error(ErrorCode::Stale, "array '" + sb.name + "' has no in-sync leg among the legs given");
  if (!impl->options.read_only) {
    // FORMAT.md 2.6 rule 11: writing without a member needs consent.
    s.set_consent(impl->options.allow_degraded, kNoSlot, "writing");
    DMIRROR_RETURN_IF_ERROR(s.check_consent());
    DMIRROR_RETURN_IF_ERROR(s.load_journals());
    // The journal decides, not the Dirty flag alone: an import of the
    // kernel's state leaves dirty bits with Dirty clear.
    const bool unclean = sb.has_flag(sbflag::kDirty) || s.dirty_count() > 0;
    if (unclean && !impl->options.recover)
      return make_error(ErrorCode::Refused,
                        "array '" + sb.name + "' has " + count_of(s.dirty_count(), "dirty region") +
                            " (unclean shutdown or imported kernel state); opening it for writing "
                            "recovers them first: open with recover, or read-only");
    // Recorded by the first commit, whichever it is (recovery or the
    // first write): missing, not failed (FORMAT.md 2.6 rule 11; LegSet::
    // commit records them).
    s.record_absent_members();
    // With one writable leg there is nothing to settle between legs (the
    // bits are kept for the absent ones). Bits kept while degraded after a
    // clean close are no unclean shutdown (the assembly's rule 9): the event
    // says so only when the assembly does.
    if (unclean && s.assembly().unclean)
      s.record_event(EventType::UncleanShutdown, kNoSlot, {s.dirty_count()},
                     "unclean shutdown: " + count_of(s.dirty_count(), "dirty region") + " to resync");
    if (unclean && s.writable_slots().size() >= 2) {
      ResyncOptions ro;
      ro.recover = false;
      DMIRROR_ASSIGN_OR_RETURN(auto rep, ops::resync_legs(s, ro, /*dirty_only=*/true));
      impl->stats.recovered_regions = rep.regions_copied;
      for (auto& f : rep.findings) impl->findings.push_back(f);
    }
  } else if (auto st = s.load_journals(); !st) {
    // read-only: reads of unknown regions go to the primary leg anyway
  }
  for (auto& f : s.findings()) impl->findings.push_back(f);
  impl->last_group.assign(s.sb().nr_regions, 0);
  impl->last_write_ms.assign(s.sb().nr_regions, 0);
  impl->held.assign(s.sb().nr_regions, 0);
  impl->pending = std::make_unique<std::atomic<uint32_t>[]>(kMaxLegs);
  impl->leg_stats.resize(kMaxLegs);
  std::vector<BlockDevice*> devs;
  for (uint32_t i = 0; i < s.nr_slots(); ++i) if (s.present(i)) devs.push_back(s.dev(i));
  impl->io = engine::make_io_engine(options.io_engine, devs);
  return std::unique_ptr<Mirror>(new Mirror(std::move(impl)));
}

uint64_t Mirror::size() const { return impl_->set.sb().layout.data_size; }
uint32_t Mirror::block_size() const { return impl_->set.sb().logical_block_size; }

Status Mirror::write(uint64_t offset, std::span<const std::byte> data) {
  DMIRROR_RETURN_IF_ERROR(impl_->check_range(offset, data.size()));
  if (impl_->options.read_only) return make_error(ErrorCode::PermissionDenied, "the mirror was opened read-only");
  Impl::Request r;
  r.offset = offset;
  r.data = data;
  return impl_->submit(r);
}

Status Mirror::read(uint64_t offset, std::span<std::byte> buf) { return impl_->read(offset, buf); }

Status Mirror::flush() {
  if (impl_->options.read_only) return ok();
  Impl::Request r;
  r.kind = Impl::Request::Kind::Flush;
  return impl_->submit(r);
}

Status Mirror::close() {
  if (impl_->options.read_only || impl_->closed) return ok();
  Impl::Request r;
  r.kind = Impl::Request::Kind::Close;
  return impl_->submit(r);
}

Superblock Mirror::superblock() const {
  std::lock_guard lock(impl_->state_mu);
  return impl_->set.sb();
}

std::vector<LegStatus> Mirror::legs() const {
  std::lock_guard lock(impl_->state_mu);
  std::vector<LegStatus> out;
  for (uint32_t i = 0; i < impl_->set.nr_slots(); ++i) {
    LegStatus st = impl_->leg_stats[i];
    st.slot = i;
    st.state = impl_->set.state(i);
    st.device = impl_->set.present(i) ? impl_->set.dev(i)->describe() : "";
    out.push_back(st);
  }
  return out;
}

MirrorStats Mirror::stats() const {
  std::lock_guard lock(impl_->state_mu);
  return impl_->stats;
}

std::string_view Mirror::io_engine_name() const { return impl_->io->name(); }
Findings Mirror::findings() const { return impl_->findings; }

Status Mirror::Impl::check_range(uint64_t offset, uint64_t len) const {
  const Superblock& sb = set.sb();
  uint32_t bs = sb.logical_block_size;
  if (offset % bs != 0 || len % bs != 0)
    return make_error(ErrorCode::InvalidArgument, "offset " + std::to_string(offset) + " and length " +
                                                      std::to_string(len) + " must be multiples of " +
                                                      std::to_string(bs) + " bytes");
  if (offset > sb.layout.data_size || len > sb.layout.data_size - offset)
    return make_error(ErrorCode::InvalidArgument, "range " + std::to_string(offset) + "+" + std::to_string(len) +
                                                      " is beyond the end of the volume (" +
                                                      std::to_string(sb.layout.data_size) + " bytes)");
  return ok();
}

}  // namespace dmirror
