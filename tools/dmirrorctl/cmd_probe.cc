// SPDX-License-Identifier: LGPL-2.1-or-later
// Hidden `dmirrorctl __probe [--export] DEVICE`, for the udev rule: blkid
// does not know the dmirror format, so this probes the device (probe_path). Plain:
// exit 0 when DEVICE carries dmirror metadata, 1 when not. --export: always
// exit 0, and for a leg print udev properties (ID_FS_TYPE=dmirror_member,
// DMIRROR_ARRAY_NAME, DMIRROR_ARRAY_UUID, DMIRROR_SLOT), nothing otherwise.
// Values are encoded as `blkid -o udev` encodes them (escape.h: anything but
// [A-Za-z0-9#+-.:=@_] and valid UTF-8 becomes \xHH), so a name read from
// disk can never add a line (a forged ID_FS_TYPE=...) to the output; a name
// that breaks create's rules also sets DMIRROR_ARRAY_NAME_INVALID=1.
#include "commands.h"
#include "escape.h"

#include <dmirror/assembly.h>
#include <dmirror/names.h>

#include <fmt/format.h>

namespace dmirror::cli {
namespace {

struct ProbeArgs {
  std::string device;
  bool export_env = false;
};

int run_probe(const ProbeArgs& a) {
  // The one probe (assembly.h). A leg whose superblock copy is damaged while
  // another signature is there is ambiguous: not claimed (the cryptsetup rule).
  const LegProbe probe = probe_path(a.device);
  const auto& meta = probe.meta;
  if (!meta || !probe.foreign.empty()) return a.export_env ? 0 : 1;
  if (a.export_env) {
    fmt::print("ID_FS_TYPE=dmirror_member\nDMIRROR_ARRAY_NAME={}\nDMIRROR_ARRAY_UUID={}\nDMIRROR_SLOT={}\n",
               udev_encode(meta->sb.name), meta->sb.array_uuid.str(), meta->sb.slot);
    if (!validate_array_name(meta->sb.name)) fmt::print("DMIRROR_ARRAY_NAME_INVALID=1\n");
  }
  return 0;
}

}  // namespace

Command add_probe(CLI::App& app) {
  auto a = std::make_shared<ProbeArgs>();
  CLI::App* sub = app.add_subcommand("__probe", "Does DEVICE carry dmirror metadata (for udev)");
  sub->group("");
  sub->add_option("device", a->device, "Block device or image file")->required();
  sub->add_flag("--export", a->export_env, "Print udev properties (KEY=value) for a leg; always exit 0");
  return {sub, [a] { return run_probe(*a); }};
}

}  // namespace dmirror::cli
