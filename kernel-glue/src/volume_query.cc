// SPDX-License-Identifier: LGPL-2.1-or-later
// Reading a volume's live state: the raid target's status and table lines.
#include <dmirror/dm/volume.h>

namespace dmirror::dm {
namespace {

Result<std::string> single_raid_line(const TableStatus& st, std::string_view name) {
  if (st.targets.size() != 1 || st.targets[0].type != "raid")
    return make_error(ErrorCode::NotDmirror, "device " + std::string(name) + " does not have a single raid target");
  return st.targets[0].params;
}

}  // namespace

Result<VolumeStatus> query(DmControl& dm, std::string_view name) {
  auto ref = DeviceRef::by_name(std::string(name));
  DMIRROR_ASSIGN_OR_RETURN(TableStatus info, dm.table_status(ref, StatusType::Info));
  DMIRROR_ASSIGN_OR_RETURN(TableStatus table, dm.table_status(ref, StatusType::Table));
  VolumeStatus out;
  out.info = info.info;
  DMIRROR_ASSIGN_OR_RETURN(std::string status_line, single_raid_line(info, name));
  DMIRROR_ASSIGN_OR_RETURN(out.raid, parse_raid_status(status_line));
  DMIRROR_ASSIGN_OR_RETURN(std::string table_line, single_raid_line(table, name));
  DMIRROR_ASSIGN_OR_RETURN(out.table, parse_raid1_params(table_line));
  return out;
}

}  // namespace dmirror::dm
