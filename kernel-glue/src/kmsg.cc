// SPDX-License-Identifier: LGPL-2.1-or-later
// /dev/kmsg reader used to recover the kernel's reason for a rejected table.
// Each read(2) of /dev/kmsg returns exactly one record; EAGAIN means no more
// records, EPIPE means records were overwritten (reading continues).
#include <dmirror/dm/kmsg.h>

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace dmirror::dm {

std::optional<std::string> kmsg_record_text(std::string_view record) {
  auto semi = record.find(';');
  if (semi == std::string_view::npos) return std::nullopt;
  auto text = record.substr(semi + 1);
  auto nl = text.find('\n');
  if (nl != std::string_view::npos) text = text.substr(0, nl);
  return std::string(text);
}

std::string dm_reason_from_log(const std::vector<std::string>& lines, std::string_view device) {
  std::vector<const std::string*> dm_lines;
  for (const auto& l : lines)
    if (l.starts_with("device-mapper:")) dm_lines.push_back(&l);
  if (!device.empty()) {
    std::vector<const std::string*> mine;
    std::string needle = " " + std::string(device) + ":";
    for (auto* l : dm_lines)
      if (l->find(needle) != std::string::npos) mine.push_back(l);
    if (!mine.empty()) dm_lines = std::move(mine);
  }
  std::string out;
  for (auto* l : dm_lines) {
    if (!out.empty()) out += "; ";
    out += *l;
  }
  return out;
}

KmsgCapture::KmsgCapture(const char* path) {
  fd_ = ::open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd_ >= 0) ::lseek(fd_, 0, SEEK_END);
}

KmsgCapture::~KmsgCapture() {
  if (fd_ >= 0) ::close(fd_);
}

std::vector<std::string> KmsgCapture::read_new() {
  std::vector<std::string> out;
  if (fd_ < 0) return out;
  char buf[8192];
  for (int guard = 0; guard < 4096; ++guard) {
    ssize_t n = ::read(fd_, buf, sizeof buf - 1);
    if (n < 0) {
      if (errno == EPIPE || errno == EINTR) continue;
      break;  // EAGAIN: no more records
    }
    if (n == 0) break;
    if (auto text = kmsg_record_text(std::string_view(buf, static_cast<size_t>(n))))
      out.push_back(std::move(*text));
  }
  return out;
}

}  // namespace dmirror::dm
