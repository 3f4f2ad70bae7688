// SPDX-License-Identifier: LGPL-2.1-or-later
// Symbol visibility for libdmirror: only what is marked DMIRROR_EXPORT is
// part of the shared library's ABI.
#pragma once

#if defined(DMIRROR_BUILDING_LIBRARY)
#define DMIRROR_EXPORT __attribute__((visibility("default")))
#else
#define DMIRROR_EXPORT
#endif
