// SPDX-License-Identifier: LGPL-2.1-or-later
// The mapping from a failed dm ioctl's errno to a typed Error whose message
// says what went wrong and what to do about it (docs/kernel-facts.md §1.11).
#pragma once

#include <dmirror/dm/dm_types.h>
#include <dmirror/export.h>
#include <dmirror/result.h>

#include <string>
#include <string_view>

namespace dmirror::dm {

enum class DmOp {
  Version, Create, Load, Clear, Resume, Suspend, Remove, Info, Status,
  Message, List, Wait, ArmPoll, TargetVersion,
};

DMIRROR_EXPORT std::string_view dm_op_name(DmOp op);

/// `kernel_reason`: the device-mapper lines the kernel logged for the failed
/// command (may be empty).
DMIRROR_EXPORT Error dm_ioctl_error(DmOp op, const DeviceRef& ref, int err,
                                    std::string_view kernel_reason = {});

}  // namespace dmirror::dm
