// SPDX-License-Identifier: LGPL-2.1-or-later
// flock_holder() (see lock_file.h): who holds a flock, from /proc.
#include "array/lock_file.h"

#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>

namespace dmirror::lockfile {
namespace {

// The start of process `pid` in unix seconds (0 when unknown): its start in
// clock ticks after boot (/proc/PID/stat field 22) plus the boot time.
uint64_t start_time(long pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const size_t paren = text.rfind(')');   // the command may hold spaces and parentheses
  if (paren == std::string::npos) return 0;
  std::istringstream fields(text.substr(paren + 1));
  std::string f;
  unsigned long long ticks = 0;
  for (int i = 3; i <= 22 && fields >> f; ++i)
    if (i == 22) ticks = std::stoull(f);
  std::ifstream boot("/proc/stat");
  std::string key;
  unsigned long long btime = 0;
  while (boot >> key)
    if (key == "btime" && boot >> btime) break;
  const long hz = ::sysconf(_SC_CLK_TCK);
  return btime && hz > 0 ? btime + ticks / static_cast<unsigned long long>(hz) : 0;
}

}  // namespace

std::string command_line(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string out;
  size_t start = 0;
  for (int i = 0; start < raw.size(); ++i) {
    size_t end = raw.find('\0', start);
    if (end == std::string::npos) end = raw.size();
    std::string arg = raw.substr(start, end - start);
    if (i == 0 && arg.rfind('/') != std::string::npos) arg = arg.substr(arg.rfind('/') + 1);
    out += (out.empty() ? "" : " ") + arg;
    start = end + 1;
  }
  return out;
}

std::optional<Holder> flock_holder(FileId id, bool exclusive_only) {
  std::ifstream in("/proc/locks");
  std::string line;
  while (std::getline(in, line)) {
    // "1: FLOCK  ADVISORY  WRITE 1234 fe:00:10961018 0 EOF" (device numbers in hex)
    std::istringstream w(line);
    std::string num, kind, advisory, mode, devino;
    long pid = 0;
    if (!(w >> num >> kind)) continue;
    if (kind == "->") continue;   // a blocked waiter, not a holder
    if (!(w >> advisory >> mode >> pid >> devino) || kind != "FLOCK") continue;
    unsigned maj = 0, min = 0;
    unsigned long long ino = 0;
    if (std::sscanf(devino.c_str(), "%x:%x:%llu", &maj, &min, &ino) != 3) continue;
    if (::makedev(maj, min) != id.first || static_cast<ino_t>(ino) != id.second) continue;
    if (pid <= 0 || pid == ::getpid()) continue;
    if (exclusive_only && mode != "WRITE") continue;
    Holder h;
    h.pid = pid;
    h.command = command_line(pid);
    h.started = start_time(pid);
    return h;
  }
  return std::nullopt;
}

}  // namespace dmirror::lockfile
