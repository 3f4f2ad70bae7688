// SPDX-License-Identifier: LGPL-2.1-or-later
// busy_holders(): see busy_holder.h.
#include "io/busy_holder.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

namespace dmirror::io {
namespace fs = std::filesystem;
namespace {

std::string first_line(const fs::path& p) {
  std::ifstream in(p);
  std::string s;
  std::getline(in, s);
  return s;
}

std::string unescape_octal(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    auto oct = [&](size_t k) { return s[k] >= '0' && s[k] <= '7'; };
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] <= '3' && oct(i + 1) && oct(i + 2) && oct(i + 3)) {
      out += static_cast<char>(((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) | (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Calls f on each entry of `dir` until it returns true. Never throws: a
// directory that vanishes while it is read (a process that exits) ends the
// walk.
template <class F>
void each_entry(const fs::path& dir, F f) {
  std::error_code ec;
  fs::directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec))
    if (f(*it)) return;
}

std::string command_name(const std::string& pid) {
  std::string c = first_line(fs::path("/proc") / pid / "comm");
  return c.empty() ? "pid " + pid : c + " (pid " + pid + ")";
}

}  // namespace

std::string mountinfo_point(const std::string& line, dev_t rdev) {
  // "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue"
  std::istringstream w(line);
  std::string id, parent, majmin, root, point;
  if (!(w >> id >> parent >> majmin >> root >> point)) return {};
  unsigned maj = 0, min = 0;
  char colon = 0;
  std::istringstream m(majmin);
  if (!(m >> maj >> colon >> min) || colon != ':') return {};
  if (::makedev(maj, min) != rdev) return {};
  return unescape_octal(point);
}

BusyHolders busy_holders(dev_t rdev, const std::string& path) {
  BusyHolders h;
  const fs::path sys = fs::path("/sys/dev/block") / (std::to_string(major(rdev)) + ":" + std::to_string(minor(rdev)));
  each_entry(sys / "holders", [&](const fs::directory_entry& e) {
    std::string name = e.path().filename().string();
    const std::string dm = first_line(e.path() / "dm" / "name");
    h.stacked.push_back(dm.empty() ? name : name + " (/dev/mapper/" + dm + ")");
    return false;
  });
  {
    std::ifstream in("/proc/self/mountinfo");
    std::string line;
    while (std::getline(in, line))
      if (auto p = mountinfo_point(line, rdev); !p.empty()) h.mounts.push_back(p);
  }
  {
    std::ifstream in("/proc/swaps");
    std::string line;
    std::getline(in, line);   // header
    while (std::getline(in, line)) {
      std::istringstream w(line);
      std::string name;
      struct stat st {};
      if (w >> name && (name == path || (::stat(name.c_str(), &st) == 0 && S_ISBLK(st.st_mode) && st.st_rdev == rdev)))
        h.swap = true;
    }
  }
  const std::string self = std::to_string(::getpid());
  each_entry("/proc", [&](const fs::directory_entry& p) {
    const std::string pid = p.path().filename().string();
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos || pid == self) return false;
    each_entry(p.path() / "fd", [&](const fs::directory_entry& fd) {
      struct stat st {};
      if (::stat(fd.path().c_str(), &st) != 0 || !S_ISBLK(st.st_mode) || st.st_rdev != rdev) return false;
      h.processes.push_back(command_name(pid));
      return true;
    });
    return false;
  });
  return h;
}

std::string describe_holders(const BusyHolders& h) {
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  };
  std::vector<std::string> parts;
  if (!h.mounts.empty()) parts.push_back("mounted on " + join(h.mounts) + "; unmount it");
  if (h.swap) parts.push_back("used as swap; swapoff it");
  if (!h.stacked.empty()) parts.push_back("held by " + join(h.stacked) + "; remove or deactivate that device first");
  if (!h.processes.empty()) parts.push_back("open in " + join(h.processes) + "; wait for it to finish or stop it");
  std::string s;
  for (const auto& p : parts) s += (s.empty() ? "" : "; ") + p;
  return s;
}

}  // namespace dmirror::io
