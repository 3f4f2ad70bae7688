// SPDX-License-Identifier: LGPL-2.1-or-later
// dm-fault: a test-only helper for the in-guest scenarios (the guest has no
// dmsetup). `dm-fault error NAME` swaps the live table of the dm device NAME
// for an `error` target of the same length, so every I/O to it fails (a
// leg failing live); `dm-fault table NAME` and `dm-fault status NAME` print
// its table and status lines.
#include <dmirror/dm/dm_control.h>
#include <dmirror/dm/dm_udev.h>
#include <dmirror/dm/simple_targets.h>

#include <cstdio>
#include <string>

using namespace dmirror::dm;

namespace {

int fail(const std::string& what, const dmirror::Error& e) {
  std::fprintf(stderr, "dm-fault: %s: %s\n", what.c_str(), e.describe().c_str());
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

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: dm-fault error|table|status NAME\n");
    return 2;
  }
  const std::string verb = argv[1], name = argv[2];
  auto dm = open_dm_control();
  if (!dm) return fail("open device-mapper", dm.error());
  if (verb == "table") return print(**dm, name, StatusType::Table);
  if (verb == "status") return print(**dm, name, StatusType::Info);
  if (verb != "error") {
    std::fprintf(stderr, "dm-fault: unknown verb %s\n", verb.c_str());
    return 2;
  }
  auto ref = DeviceRef::by_name(name);
  auto table = (*dm)->table_status(ref, StatusType::Table);
  if (!table) return fail("table of " + name, table.error());
  uint64_t length = 0;
  for (const auto& t : table->targets) length += t.length;
  std::vector<TargetLine> err{error_target(0, length)};
  if (auto r = (*dm)->load_table(ref, err); !r) return fail("load error table into " + name, r.error());
  if (auto r = (*dm)->resume(ref, udev_flag::kHiddenSubdevice); !r) return fail("resume " + name, r.error());
  std::printf("%s now fails every I/O\n", name.c_str());
  return 0;
}
