// SPDX-License-Identifier: LGPL-2.1-or-later
// Hidden `dmirrorctl __probe [--export] DEVICE`, for the udev rule: blkid
// does not know the dmirror format, so this reads the superblocks. Plain:
// exit 0 when DEVICE carries dmirror metadata, 1 when not. --export: always
// exit 0, and for a leg print udev properties (ID_FS_TYPE=dmirror_member,
// DMIRROR_ARRAY_NAME, DMIRROR_ARRAY_UUID, DMIRROR_SLOT), nothing otherwise.
#include "commands.h"

#include <dmirror/block_device.h>
#include <dmirror/leg.h>

#include <fmt/format.h>

namespace dmirror::cli {
namespace {

struct ProbeArgs {
  std::string device;
  bool export_env = false;
};

int run_probe(const ProbeArgs& a) {
  auto dev = open_device(a.device, OpenOptions{.writable = false, .exclusive = false});
  auto meta = dev ? read_leg(**dev) : Result<LegMetadata>(std::unexpected(dev.error()));
  if (!meta) return a.export_env ? 0 : 1;
  if (a.export_env) {
    fmt::print("ID_FS_TYPE=dmirror_member\nDMIRROR_ARRAY_NAME={}\nDMIRROR_ARRAY_UUID={}\nDMIRROR_SLOT={}\n",
               meta->sb.name, meta->sb.array_uuid.str(), meta->sb.slot);
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
