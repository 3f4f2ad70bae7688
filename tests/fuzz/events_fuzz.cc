// SPDX-License-Identifier: LGPL-2.1-or-later
// Fuzz target: read_events over an in-memory device holding the fuzz input
// as the event history ring (1 to 8 blocks, chosen by the first byte).
// Every event read back is in range and ordered oldest first.
#include "fuzz_support.h"

#include <dmirror/block_device.h>
#include <dmirror/events.h>

#include <cstring>

using namespace dmirror;
using namespace dmirror::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> in(data, size);
  const uint64_t events_size = 4096 * (1 + take_le(in, 1) % 8);
  const Superblock sb = area_superblock(1, events_size);

  auto dev = make_mem_device(events_size, "mem:events");
  std::vector<std::byte> bytes(events_size);
  std::memcpy(bytes.data(), in.data(), std::min<size_t>(in.size(), bytes.size()));
  DMIRROR_FUZZ_CHECK(dev->write(0, bytes).has_value());

  auto h = read_events(*dev, sb);
  if (!h) return 0;
  DMIRROR_FUZZ_CHECK(h->events.size() <= event_capacity(sb));
  for (size_t i = 0; i < h->events.size(); ++i) {
    const Event& e = h->events[i];
    DMIRROR_FUZZ_CHECK(e.detail.size() < kEventDetailSize);
    DMIRROR_FUZZ_CHECK(e.seq < h->next_seq);
    if (i > 0) DMIRROR_FUZZ_CHECK(h->events[i - 1].seq < e.seq);
    (void)event_type_name(e.type);
  }
  return 0;
}
