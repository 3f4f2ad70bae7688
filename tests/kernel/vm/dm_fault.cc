// SPDX-License-Identifier: LGPL-2.1-or-later
// dm-fault: a test-only helper for the in-guest scenarios (the guest has no
// dmsetup). Verbs:
//   error NAME                swap the live table of NAME for an `error`
//                             target of the same length (a leg failing live)
//   create NAME LINE...       create NAME with the table LINEs ("start length
//                             type params"; /dev/... paths in params are
//                             turned into major:minor)
//   reload NAME LINE...       load LINEs into NAME and resume it
//   linear NAME DEV           NAME = all of DEV (created if absent, else
//                             reloaded: a spliced device back to plain)
//   splice NAME DEV START LEN [SEGDEV]
//                             NAME = DEV with sectors [START, START+LEN)
//                             replaced by `error`, or by SEGDEV from its
//                             sector 0 (linear/error/linear)
//   remove NAME               remove NAME
//   table NAME, status NAME   print its table and status lines
#include <dmirror/dm/dm_control.h>
#include <dmirror/dm/dm_udev.h>
#include <dmirror/dm/simple_targets.h>

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

using namespace dmirror::dm;

namespace {

int fail(const std::string& what, const dmirror::Error& e) {
  std::fprintf(stderr, "dm-fault: %s: %s\n", what.c_str(), e.describe().c_str());
  return 1;
}

int fail(const std::string& what) {
  std::fprintf(stderr, "dm-fault: %s\n", what.c_str());
  return 1;
}

int print(DmControl& dm, const std::string& name, StatusType type) {
  auto st = dm.table_status(DeviceRef::by_name(name), type);
  if (!st) return fail("status of " + name, st.error());
  for (const auto& t : st->targets)
    std::printf("%llu %llu %s %s\n", (unsigned long long)t.start, (unsigned long long)t.length, t.type.c_str(),
                t.params.c_str());
  return 0;
}

// "/dev/vdb" -> "254:16"; anything else unchanged.
bool dev_number(const std::string& path, std::string& out) {
  if (path.rfind("/dev/", 0) != 0) {
    out = path;
    return true;
  }
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0 || !S_ISBLK(st.st_mode)) return false;
  out = std::to_string(major(st.st_rdev)) + ":" + std::to_string(minor(st.st_rdev));
  return true;
}

bool sectors_of(const std::string& path, uint64_t& sectors) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  uint64_t bytes = 0;
  const bool got = ::ioctl(fd, BLKGETSIZE64, &bytes) == 0;
  ::close(fd);
  sectors = bytes / 512;
  return got;
}

bool parse_line(const std::string& text, TargetLine& t) {
  std::istringstream in(text);
  if (!(in >> t.start >> t.length >> t.type)) return false;
  std::string word, dev;
  while (in >> word) {
    if (!dev_number(word, dev)) return false;
    t.params += (t.params.empty() ? "" : " ") + dev;
  }
  return true;
}

int load(DmControl& dm, const std::string& name, const std::vector<TargetLine>& table, bool create) {
  if (create) {
    if (auto r = dm.create_device(name, ""); !r) return fail("create " + name, r.error());
  }
  auto ref = DeviceRef::by_name(name);
  if (auto r = dm.load_table(ref, table); !r) return fail("load table into " + name, r.error());
  if (auto r = dm.resume(ref, udev_flag::kHiddenSubdevice); !r) return fail("resume " + name, r.error());
  return 0;
}

bool exists(DmControl& dm, const std::string& name) { return dm.device_info(DeviceRef::by_name(name)).has_value(); }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: dm-fault error|table|status|remove NAME\n"
                 "       dm-fault create|reload NAME 'START LEN TYPE PARAMS'...\n"
                 "       dm-fault linear NAME DEV\n"
                 "       dm-fault splice NAME DEV START LEN [SEGDEV]\n");
    return 2;
  }
  const std::string verb = argv[1], name = argv[2];
  std::vector<std::string> args(argv + 3, argv + argc);
  auto dm = open_dm_control();
  if (!dm) return fail("open device-mapper", dm.error());
  DmControl& c = **dm;
  if (verb == "table") return print(c, name, StatusType::Table);
  if (verb == "status") return print(c, name, StatusType::Info);
  if (verb == "remove") {
    if (auto r = c.remove_device(DeviceRef::by_name(name)); !r) return fail("remove " + name, r.error());
    return 0;
  }
  if (verb == "create" || verb == "reload") {
    std::vector<TargetLine> table;
    for (const auto& a : args) {
      TargetLine t;
      if (!parse_line(a, t)) return fail("bad table line '" + a + "'");
      table.push_back(t);
    }
    if (table.empty()) return fail("no table lines");
    return load(c, name, table, verb == "create");
  }
  if (verb == "linear" || verb == "splice") {
    if (args.empty()) return fail(verb + " needs DEV");
    uint64_t size = 0;
    std::string dev, seg;
    if (!sectors_of(args[0], size) || !dev_number(args[0], dev)) return fail("cannot open " + args[0]);
    std::vector<TargetLine> table;
    if (verb == "linear") {
      table.push_back({0, size, "linear", dev + " 0"});
    } else {
      if (args.size() < 3) return fail("splice needs DEV START LEN");
      const uint64_t start = std::stoull(args[1]), len = std::stoull(args[2]);
      if (args.size() > 3 && !dev_number(args[3], seg)) return fail("cannot open " + args[3]);
      if (start == 0 || start + len >= size) return fail("the splice must lie inside " + args[0]);
      table.push_back({0, start, "linear", dev + " 0"});
      table.push_back(seg.empty() ? error_target(start, len) : TargetLine{start, len, "linear", seg + " 0"});
      table.push_back({start + len, size - start - len, "linear", dev + " " + std::to_string(start + len)});
    }
    return load(c, name, table, !exists(c, name));
  }
  if (verb != "error") return fail("unknown verb " + verb);
  auto ref = DeviceRef::by_name(name);
  auto table = c.table_status(ref, StatusType::Table);
  if (!table) return fail("table of " + name, table.error());
  uint64_t length = 0;
  for (const auto& t : table->targets) length += t.length;
  std::vector<TargetLine> err{error_target(0, length)};
  if (auto r = c.load_table(ref, err); !r) return fail("load error table into " + name, r.error());
  if (auto r = c.resume(ref, udev_flag::kHiddenSubdevice); !r) return fail("resume " + name, r.error());
  std::printf("%s now fails every I/O\n", name.c_str());
  return 0;
}
