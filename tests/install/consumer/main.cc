// SPDX-License-Identifier: LGPL-2.1-or-later
// A tiny program built against an installed dmirror, through pkg-config and
// through find_package(dmirror): it calls both libraries and checks results.
#include <dmirror/crc32c.h>
#include <dmirror/dm/dm_names.h>
#include <dmirror/names.h>

#include <cstdio>
#include <string_view>

int main() {
  constexpr std::string_view text = "123456789";
  const auto crc = dmirror::crc32c(std::as_bytes(std::span(text.data(), text.size())));
  const auto size = dmirror::parse_size("64M");
  const auto uuid = dmirror::dm::volume_dm_uuid("0123");
  if (crc != 0xE3069283u || !size || *size != 64u << 20 || uuid != "DMIRROR-0123") {
    std::printf("consumer: wrong results\n");
    return 1;
  }
  std::printf("consumer: ok (%s, %s)\n", dmirror::format_size(*size).c_str(), uuid.c_str());
  return 0;
}
