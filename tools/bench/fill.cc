// SPDX-License-Identifier: LGPL-2.1-or-later
// `fill FILE --size N [--seed S]`: writes N bytes of PRNG output (several
// GB/s, incompressible) to FILE from offset 0, then fsyncs it. Two legs
// filled with the same seed hold identical data.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

#include "bench.h"

namespace dmirror::bench {

int cmd_fill(const Args& args) {
  if (args.empty()) return 2;
  const uint64_t size = parse_size(option(args, "--size", ""));
  const uint64_t seed = std::stoull(option(args, "--seed", "1"));
  int fd = ::open(args[0].c_str(), O_WRONLY | O_CREAT, 0644);
  if (fd < 0 || size == 0) {
    std::perror(args[0].c_str());
    return 1;
  }
  Prng rng(seed);
  std::vector<uint64_t> buf((4u << 20) / 8);
  for (uint64_t done = 0; done < size;) {
    for (auto& w : buf) w = rng.next();
    const size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size() * 8, size - done));
    if (::pwrite(fd, buf.data(), n, static_cast<off_t>(done)) != static_cast<ssize_t>(n)) {
      std::perror("pwrite");
      return 1;
    }
    done += n;
  }
  ::fsync(fd);
  ::close(fd);
  return 0;
}

}  // namespace dmirror::bench
