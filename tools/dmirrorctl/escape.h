// SPDX-License-Identifier: LGPL-2.1-or-later
// Strings read from disk (array names, event details, finding messages that
// quote them) are untrusted: text output shows them through printable(),
// udev properties through udev_encode(). Neither lets a control character,
// an escape sequence or a newline through.
#pragma once

#include <string>
#include <string_view>

namespace dmirror::cli {

// Printable ASCII and valid UTF-8 above it are kept; '\' and every control
// character, DEL, C1 control or invalid UTF-8 byte become "\xHH" (as the
// library's escape_name(), names.h).
std::string printable(std::string_view s);

// The same for the library's messages (findings, errors), which already
// quote names through escape_name(): their '\' is kept, so an escape is not
// escaped twice; control characters still cannot pass.
std::string printable_message(std::string_view s);

// As util-linux blkid_encode_string() (what `blkid -o udev` prints for
// ID_FS_TYPE, ID_FS_LABEL_ENC...): [A-Za-z0-9#+-.:=@_] and valid UTF-8
// multi-byte sequences (but not C1 controls) are kept; everything else (space, '\', control
// characters, invalid bytes) becomes "\xHH".
std::string udev_encode(std::string_view s);

// The inverse on the command line: "\xHH" becomes the byte 0xHH, so an array
// name given in the form printable() shows it, or as `systemd-escape` makes
// a unit instance of it ("db\x2dmain", "a\x2bb"), means the name. A '\' is
// never part of an array name, so the decoding is unambiguous.
std::string unescape_arg(std::string_view s);

}  // namespace dmirror::cli
