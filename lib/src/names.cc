// SPDX-License-Identifier: LGPL-2.1-or-later
// Array names (usable as device-mapper names and udev nodes) and sizes with
// binary units. Every error says what is wrong and what is allowed.
#include <dmirror/names.h>
#include <dmirror/superblock.h>

#include <cctype>
#include <cstdio>
#include <string>

namespace dmirror {
namespace {

constexpr std::string_view kNameAllowed = "A-Z a-z 0-9 and # + - . : = @ _";

bool allowed_name_char(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  return std::string_view("#+-.:=@_").find(c) != std::string_view::npos;
}

std::string printable(char c) {
  if (std::isprint(static_cast<unsigned char>(c)) && c != ' ') return std::string("'") + c + "'";
  if (c == ' ') return "a space";
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
  return std::string("byte ") + buf;
}

std::string in_quotes(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (std::isprint(static_cast<unsigned char>(c))) {
      out += c;
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
      out += buf;
    }
  }
  return out + "'";
}

}  // namespace

Status validate_array_name(std::string_view name) {
  if (name.empty()) {
    return make_error(ErrorCode::InvalidArgument,
                      "array name is empty; use 1 to " + std::to_string(kMaxNameLength) +
                          " characters from " + std::string(kNameAllowed));
  }
  if (name.size() > kMaxNameLength) {
    return make_error(ErrorCode::InvalidArgument,
                      "array name " + in_quotes(name.substr(0, 20)) + "... is " + std::to_string(name.size()) +
                          " characters long; at most " + std::to_string(kMaxNameLength) + " are allowed");
  }
  if (name == "." || name == ".." || name == "control") {
    return make_error(ErrorCode::InvalidArgument,
                      "array name " + in_quotes(name) + " is reserved" +
                          (name == "control" ? " (/dev/mapper/control is the device-mapper control node)"
                                             : " (it is a directory entry)") +
                          "; choose another name");
  }
  for (size_t i = 0; i < name.size(); ++i) {
    if (!allowed_name_char(name[i])) {
      return make_error(ErrorCode::InvalidArgument,
                        "array name " + in_quotes(name) + " contains " + printable(name[i]) + " at position " +
                            std::to_string(i + 1) + "; only " + std::string(kNameAllowed) + " are allowed");
    }
  }
  if (name.front() == '-' || name.front() == '.') {
    return make_error(ErrorCode::InvalidArgument, "array name " + in_quotes(name) + " starts with '" +
                                                      std::string(1, name.front()) +
                                                      "'; it must start with a letter, a digit or one of # + : = @ _");
  }
  return ok();
}

Result<uint64_t> parse_size(std::string_view text) {
  const std::string help = "; give a whole number of bytes with an optional unit: K, M, G, T, P or KiB, "
                           "MiB, ... (powers of 1024), kB, MB, GB, TB, PB (powers of 1000); e.g. 512, 64K, "
                           "4MiB, 100MB";
  std::string_view s = text;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  if (s.empty()) return make_error(ErrorCode::InvalidArgument, "size is empty" + help);

  size_t i = 0;
  uint64_t value = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
    uint64_t digit = static_cast<uint64_t>(s[i] - '0');
    if (value > (UINT64_MAX - digit) / 10) {
      return make_error(ErrorCode::InvalidArgument, "size " + in_quotes(text) + " is too large");
    }
    value = value * 10 + digit;
    ++i;
  }
  if (i == 0) {
    return make_error(ErrorCode::InvalidArgument, "size " + in_quotes(text) + " does not start with a number" + help);
  }
  std::string unit;
  for (size_t j = i; j < s.size(); ++j) {
    if (s[j] == ' ' && unit.empty()) continue;
    unit += static_cast<char>(std::tolower(static_cast<unsigned char>(s[j])));
  }
  // IEC: "M" and "MiB" are 2^20 (as dd, lvcreate and mdadm read "M");
  // SI: "MB" is 10^6 (as the disk on the label counts).
  int power = -1;
  uint64_t base = 1024;
  if (unit.empty() || unit == "b") power = 0;
  const std::string_view units = "kmgtp";
  for (size_t u = 0; u < units.size() && power < 0; ++u) {
    const std::string prefix(1, units[u]);
    if (unit == prefix || unit == prefix + "ib") power = static_cast<int>(u + 1);
    else if (unit == prefix + "b") power = static_cast<int>(u + 1), base = 1000;
  }
  if (power < 0) {
    return make_error(ErrorCode::InvalidArgument,
                      "size " + in_quotes(text) + " has an unknown unit " + in_quotes(unit) + help);
  }
  for (int p = 0; p < power; ++p) {
    if (value > UINT64_MAX / base) return make_error(ErrorCode::InvalidArgument, "size " + in_quotes(text) + " is too large");
    value *= base;
  }
  return value;
}

std::string format_size(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int unit = 0;
  while (unit < 6 && bytes >= (uint64_t{1} << (10 * (unit + 1)))) ++unit;
  if (unit == 0) return std::to_string(bytes) + " B";
  const uint64_t scale = uint64_t{1} << (10 * unit);
  if (bytes % scale == 0) return std::to_string(bytes / scale) + " " + kUnits[unit];
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", static_cast<double>(bytes) / static_cast<double>(scale));
  std::string num = buf;
  while (num.back() == '0') num.pop_back();
  if (num.back() == '.') num.pop_back();
  return num + " " + kUnits[unit];
}

std::string format_size_bytes(uint64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
  return format_size(bytes) + " (" + std::to_string(bytes) + " bytes)";
}

std::string count_of(uint64_t n, std::string_view noun) {
  std::string out = std::to_string(n) + " " + std::string(noun);
  if (n == 1) return out;
  const bool es = noun.ends_with("s") || noun.ends_with("x") || noun.ends_with("ch") || noun.ends_with("sh");
  return out + (es ? "es" : "s");
}

std::string escape_name(std::string_view name) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(name.size());
  for (unsigned char c : name) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace dmirror
