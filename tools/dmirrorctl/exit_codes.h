// SPDX-License-Identifier: LGPL-2.1-or-later
// THE exit-code table of dmirrorctl. Exit statuses are bits, e2fsck style:
// a read-only command ORs the health bits of everything it looked at, so
// `dmirrorctl status vol0; echo $?` is a health check.
//
//   0  success; the array is healthy
//   1  problems were found and corrected
//   2  degraded: a leg is missing, failed, rebuilding or stale, or a resync
//      is pending
//   4  problems left uncorrected: a damaged metadata copy, legs that
//      disagree, mismatches
//   8  operational error: I/O error, not found, busy, permission, or refused
//      (foreign signatures, existing membership, too small)
//  16  usage or syntax error (bad option, invalid name or size)
//  32  cancelled (declined at the prompt, interrupted)
//
// An array with no usable leg left ("failed") sets both 2 and 4.
#pragma once

#include <dmirror/array.h>
#include <dmirror/result.h>

#include <string>
#include <string_view>

namespace dmirror::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitCorrected = 1;
inline constexpr int kExitDegraded = 2;
inline constexpr int kExitUncorrected = 4;
inline constexpr int kExitOperational = 8;
inline constexpr int kExitUsage = 16;
inline constexpr int kExitCancelled = 32;

struct ExitBit {
  int bit;
  std::string_view meaning;
};
inline constexpr ExitBit kExitBits[] = {
    {kExitOk, "success; the array is healthy"},
    {kExitCorrected, "problems were found and corrected"},
    {kExitDegraded, "degraded: a leg is missing, failed, rebuilding or stale, or a resync is pending"},
    {kExitUncorrected, "problems left uncorrected: damaged metadata copy, disagreement, mismatches"},
    {kExitOperational, "operational error: I/O, not found, busy, permission, refused"},
    {kExitUsage, "usage or syntax error: bad option, invalid name or size"},
    {kExitCancelled, "cancelled at the prompt or interrupted"},
};

// The one ErrorCode -> exit status mapping.
inline int exit_code_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidArgument: return kExitUsage;
    case ErrorCode::Cancelled: return kExitCancelled;
    case ErrorCode::Corruption: return kExitUncorrected;
    case ErrorCode::Stale: return kExitDegraded;
    case ErrorCode::SplitBrain: return kExitUncorrected | kExitOperational;
    case ErrorCode::Io:
    case ErrorCode::NotFound:
    case ErrorCode::TooSmall:
    case ErrorCode::Busy:
    case ErrorCode::Exists:
    case ErrorCode::PermissionDenied:
    case ErrorCode::Unsupported:
    case ErrorCode::NotDmirror:
    case ErrorCode::ForeignSignature:
    case ErrorCode::Internal:
      return kExitOperational;
  }
  return kExitOperational;
}

// Finding codes that mean "degraded" rather than "inconsistent".
inline bool is_degraded_finding(std::string_view code) {
  return code == "leg-missing" || code == "leg-stale" || code == "leg-failed" || code == "leg-rebuilding" ||
         code == "resync-pending";
}

// Health bits of an assembled array.
inline int health_exit_bits(const ArrayView& view) {
  int bits = 0;
  switch (view.health) {
    case Health::Healthy: break;
    case Health::Degraded: bits |= kExitDegraded; break;
    case Health::Inconsistent: bits |= kExitUncorrected; break;
    case Health::Failed: bits |= kExitDegraded | kExitUncorrected; break;
  }
  for (const auto& f : view.findings) {
    if (is_degraded_finding(f.code)) bits |= kExitDegraded;
  }
  return bits;
}

// The table as text, for the --help footer.
std::string exit_code_help();

}  // namespace dmirror::cli
