// SPDX-License-Identifier: LGPL-2.1-or-later
// Fuzz target: WriteIntentJournal::load over an in-memory device holding
// the fuzz input as the journal area. The first 3 bytes choose the number
// of regions. A loaded journal written back to a clean device must load
// again with the same bits and no damage.
#include "fuzz_support.h"

#include <dmirror/block_device.h>

#include <cstring>

using namespace dmirror;
using namespace dmirror::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> in(data, size);
  const uint64_t nr_regions = 1 + take_le(in, 3) % (4 * kRegionsPerJournalBlock);
  const Superblock sb = area_superblock(nr_regions, 4096);
  const uint64_t area = sb.layout.journal_size;

  auto dev = make_mem_device(area, "mem:journal");
  std::vector<std::byte> bytes(area);
  std::memcpy(bytes.data(), in.data(), std::min<size_t>(in.size(), bytes.size()));
  DMIRROR_FUZZ_CHECK(dev->write(0, bytes).has_value());

  auto j = WriteIntentJournal::load(*dev, sb);
  if (!j) return 0;
  DMIRROR_FUZZ_CHECK(j->nr_regions() == nr_regions);
  DMIRROR_FUZZ_CHECK(j->dirty_count() <= nr_regions);
  if (j->dirty_count() < 4096) {
    for (uint64_t r : j->dirty_regions()) DMIRROR_FUZZ_CHECK(r < nr_regions && j->is_dirty(r));
  }

  auto clean = make_mem_device(area, "mem:journal2");
  DMIRROR_FUZZ_CHECK(j->write_pending(*clean, /*all=*/true).has_value());
  auto again = WriteIntentJournal::load(*clean, sb);
  DMIRROR_FUZZ_CHECK(again.has_value());
  DMIRROR_FUZZ_CHECK(again->damage().empty());
  DMIRROR_FUZZ_CHECK(again->bits() == j->bits());
  return 0;
}
