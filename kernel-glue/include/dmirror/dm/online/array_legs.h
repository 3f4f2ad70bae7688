// SPDX-License-Identifier: LGPL-2.1-or-later
// The legs of one array as the online layer sees them: each present leg's
// device and chosen superblock, matched to its slot, and the newest
// superblock as the array's view. It is how activation, deactivation, the
// monitor and online replace change our metadata: a commit writes the
// superblock with seqno + 1 to every present leg (copy 0, flush, copy 1,
// flush); events and the write-intent journal go to every present leg too.
// Only our own areas are touched, never the kernel metadata or data areas,
// so this is safe while the volume is active.
#pragma once

#include <dmirror/block_device.h>
#include <dmirror/events.h>
#include <dmirror/export.h>
#include <dmirror/leg.h>
#include <dmirror/result.h>
#include <dmirror/superblock.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dmirror::dm {

struct NamedDevice {
  std::string path;
  std::unique_ptr<BlockDevice> dev;
};

struct ArrayLegsOptions {
  bool force = false;  // accept stale legs (they are recorded in stale_slots())
};

class DMIRROR_EXPORT ArrayLegs {
 public:
  /// Reads every device's superblocks and matches it to its slot of the
  /// newest superblock. Errors: NotDmirror (a device is not a leg),
  /// InvalidArgument (legs of different arrays, the same slot twice, a leg
  /// the newest leg table no longer lists), Stale (a leg missed updates and
  /// !force).
  static Result<ArrayLegs> assemble(std::vector<NamedDevice> devices, const ArrayLegsOptions& options = {});

  ArrayLegs(ArrayLegs&&) noexcept;
  ArrayLegs& operator=(ArrayLegs&&) noexcept;
  ~ArrayLegs();

  const Superblock& sb() const { return sb_; }
  Superblock& edit() { return sb_; }
  bool present(uint32_t slot) const { return slot < legs_.size() && legs_[slot].dev != nullptr; }
  BlockDevice* dev(uint32_t slot) const { return present(slot) ? legs_[slot].dev.get() : nullptr; }
  std::string path(uint32_t slot) const { return present(slot) ? legs_[slot].path : std::string(); }
  std::vector<uint32_t> present_slots() const;
  /// Present legs whose seqno is behind the newest (only with force).
  const std::vector<uint32_t>& stale_slots() const { return stale_; }
  /// Adds a device for `slot` (a new leg joining: replace). The caller has
  /// set sb().legs[slot].
  void attach(uint32_t slot, NamedDevice device);
  /// Forgets a leg's device (it no longer receives our metadata).
  void detach(uint32_t slot);

  /// Writes sb() with seqno + 1 and utime now to every present leg. A leg
  /// the superblock records as failed may fail the write (it is skipped).
  [[nodiscard]] Status commit();
  /// Appends an event to every present leg and flushes. Best effort: an
  /// event that cannot be written never fails an operation.
  void record_event(EventType type, uint32_t slot, std::initializer_list<uint64_t> args, std::string detail);

  /// Regions dirty in the journal of any present leg (a block no slot of
  /// which is valid counts as dirty).
  Result<std::vector<uint64_t>> journal_dirty() const;
  /// Makes every present leg's journal hold exactly `dirty`, and flushes.
  [[nodiscard]] Status set_journal(const std::vector<uint64_t>& dirty);

 private:
  ArrayLegs() = default;
  struct Leg {
    std::string path;
    std::unique_ptr<BlockDevice> dev;
  };
  Superblock sb_;
  std::vector<Leg> legs_;  // by slot
  std::vector<uint32_t> stale_;
  std::optional<uint64_t> next_event_;
};

struct OpenLegsForArray {
  bool exclusive = false;  // O_EXCL: refuse legs mounted or held by another device
  bool force = false;
};

/// Opens `paths` (block devices O_DIRECT through an aligned wrapper, image
/// files buffered) and assembles them.
DMIRROR_EXPORT Result<ArrayLegs> open_array_legs(const std::vector<std::string>& paths,
                                                 const OpenLegsForArray& options = {});

/// Unix time in seconds.
DMIRROR_EXPORT uint64_t unix_now();

}  // namespace dmirror::dm
