// SPDX-License-Identifier: LGPL-2.1-or-later
// Fuzz target: the dm ioctl payload unpackers. The first byte chooses the
// unpacker (name list with or without the event/uuid tail, target versions,
// status records with a count from the second byte); the rest is the
// payload as the kernel would return it. Nothing may read outside it.
#include "fuzz_support.h"

#include <dmirror/dm/dm_payload.h>

#include <vector>

using namespace dmirror;
using namespace dmirror::dm;
using namespace dmirror::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> in(data, size);
  const unsigned which = static_cast<unsigned>(take_le(in, 1)) % 4;
  const uint32_t count = static_cast<uint32_t>(take_le(in, 1));
  // An exact-size heap copy, so ASan sees any read past the payload.
  std::vector<std::byte> payload(reinterpret_cast<const std::byte*>(in.data()),
                                 reinterpret_cast<const std::byte*>(in.data()) + in.size());
  switch (which) {
    case 0:
    case 1: {
      auto names = unpack_name_list(payload, which == 1);
      if (names) {
        for (const auto& d : *names) DMIRROR_FUZZ_CHECK(d.name.size() < payload.size());
      }
      break;
    }
    case 2: {
      auto versions = unpack_target_versions(payload);
      if (versions) {
        for (const auto& v : *versions) DMIRROR_FUZZ_CHECK(v.name.size() < payload.size());
      }
      break;
    }
    case 3: {
      auto lines = unpack_status(payload, count);
      if (lines) DMIRROR_FUZZ_CHECK(lines->size() == count);
      break;
    }
  }
  return 0;
}
