// SPDX-License-Identifier: LGPL-2.1-or-later
// Random (version 4) UUIDs and their text forms.
#include <dmirror/uuid.h>

#include <sys/random.h>

#include <cerrno>
#include <cstring>

namespace dmirror {

namespace {
constexpr char kHex[] = "0123456789abcdef";
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string Uuid::hex() const {
  std::string s;
  s.reserve(32);
  for (auto b : bytes) {
    s.push_back(kHex[b >> 4]);
    s.push_back(kHex[b & 15]);
  }
  return s;
}

std::string Uuid::str() const {
  std::string h = hex();
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" +
         h.substr(20);
}

Uuid random_uuid() {
  Uuid u;
  size_t got = 0;
  while (got < u.bytes.size()) {
    ssize_t n = getrandom(u.bytes.data() + got, u.bytes.size() - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;  // no entropy source: fall through with what we have
    }
    got += static_cast<size_t>(n);
  }
  u.bytes[6] = static_cast<uint8_t>((u.bytes[6] & 0x0F) | 0x40);  // version 4
  u.bytes[8] = static_cast<uint8_t>((u.bytes[8] & 0x3F) | 0x80);  // RFC 4122 variant
  return u;
}

Result<Uuid> parse_uuid(std::string_view text) {
  Uuid u;
  size_t n = 0;
  int hi = -1;
  for (char c : text) {
    if (c == '-') continue;
    int v = hex_value(c);
    if (v < 0 || n >= 16) return make_error(ErrorCode::InvalidArgument, "'" + std::string(text) + "' is not a UUID");
    if (hi < 0) {
      hi = v;
    } else {
      u.bytes[n++] = static_cast<uint8_t>(hi << 4 | v);
      hi = -1;
    }
  }
  if (n != 16 || hi >= 0) return make_error(ErrorCode::InvalidArgument, "'" + std::string(text) + "' is not a UUID");
  return u;
}

}  // namespace dmirror
