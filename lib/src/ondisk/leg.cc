// SPDX-License-Identifier: LGPL-2.1-or-later
// Reading, choosing and writing a leg's two superblock copies
// (see leg.h and FORMAT.md, "Superblock update order").
#include <dmirror/leg.h>
#include <dmirror/names.h>
#include <dmirror/probe.h>

#include <array>
#include <vector>

namespace dmirror {
namespace {

using Block = std::array<std::byte, kSuperblockSize>;

CopyInfo classify(BlockDevice& dev, int index, std::optional<Superblock>& decoded) {
  CopyInfo c;
  c.offset = kSuperblockOffset[index];
  Block buf{};
  if (dev.geometry().size_bytes < c.offset + kSuperblockSize) {
    c.state = CopyState::IoError;
    c.detail = "the device ends before this copy";
    return c;
  }
  if (auto st = dev.read(c.offset, buf); !st) {
    c.state = CopyState::IoError;
    c.detail = st.error().describe();
    return c;
  }
  auto sb = decode_superblock(buf, c.offset);
  if (sb) {
    c.state = CopyState::Valid;
    c.seqno = sb->seqno;
    decoded = std::move(*sb);
    return c;
  }
  switch (sb.error().code) {
    case ErrorCode::NotDmirror: c.state = CopyState::Blank; break;
    case ErrorCode::Unsupported: c.state = CopyState::Unsupported; break;
    default: c.state = CopyState::Corrupt; break;
  }
  c.detail = sb.error().message;
  return c;
}

Finding copy_finding(int index, const CopyInfo& c, int chosen) {
  Finding f;
  f.severity = Severity::Warning;
  f.code = c.state == CopyState::Older ? "superblock-copy-older" : "superblock-copy-damaged";
  f.message = "superblock copy " + std::to_string(index) + " at offset " + std::to_string(c.offset) + " is " +
              std::string(copy_state_name(c.state)) + (c.detail.empty() ? "" : " (" + c.detail + ")") +
              "; copy " + std::to_string(chosen) + " is used. Run 'dmirrorctl verify --repair' to rewrite it";
  return f;
}

}  // namespace

std::string_view copy_state_name(CopyState s) {
  switch (s) {
    case CopyState::Valid: return "valid";
    case CopyState::Older: return "older";
    case CopyState::Blank: return "blank";
    case CopyState::Corrupt: return "corrupt";
    case CopyState::IoError: return "unreadable";
    case CopyState::Unsupported: return "unsupported";
  }
  return "unknown";
}

Result<LegMetadata> read_leg(BlockDevice& dev) {
  LegMetadata m;
  std::optional<Superblock> sb[2];
  for (int i = 0; i < 2; ++i) m.copies[i] = classify(dev, i, sb[i]);
  const std::string& path = dev.describe();

  for (int i = 0; i < 2; ++i)
    if (m.copies[i].state == CopyState::Unsupported)
      return make_error(ErrorCode::Unsupported, path + ": " + m.copies[i].detail);
  if (!sb[0] && !sb[1]) {
    bool corrupt = m.copies[0].state == CopyState::Corrupt || m.copies[1].state == CopyState::Corrupt;
    bool blank = !corrupt && (m.copies[0].state == CopyState::Blank || m.copies[1].state == CopyState::Blank);
    bool io = !corrupt && !blank;
    if (blank) return make_error(ErrorCode::NotDmirror, path + " is not a dmirror leg (no superblock found)");
    if (io) return make_error(ErrorCode::Io, path + ": neither superblock copy can be read (" + m.copies[0].detail + ")");
    return make_error(ErrorCode::Corruption, path + ": both superblock copies are damaged (copy 0: " +
                                                 (m.copies[0].detail.empty() ? std::string(copy_state_name(m.copies[0].state)) : m.copies[0].detail) +
                                                 "; copy 1: " +
                                                 (m.copies[1].detail.empty() ? std::string(copy_state_name(m.copies[1].state)) : m.copies[1].detail) + ")");
  }
  int chosen = !sb[1] ? 0 : !sb[0] ? 1 : (sb[1]->seqno > sb[0]->seqno ? 1 : 0);
  int other = 1 - chosen;
  if (sb[other] && sb[other]->seqno < sb[chosen]->seqno) {
    m.copies[other].state = CopyState::Older;
    m.copies[other].detail = "seqno " + std::to_string(sb[other]->seqno) + " < " + std::to_string(sb[chosen]->seqno);
  } else if (sb[other] && sb[other]->array_uuid != sb[chosen]->array_uuid) {
    m.copies[other].state = CopyState::Corrupt;
    m.copies[other].detail = "belongs to another array";
  }
  m.chosen = chosen;
  m.sb = std::move(*sb[chosen]);
  m.read_only = requires_read_only(m.sb);
  if (m.copies[other].state != CopyState::Valid) {
    Finding f = copy_finding(other, m.copies[other], chosen);
    f.leg = path;
    f.slot = m.sb.slot;
    m.findings.push_back(std::move(f));
  }
  // A leg shorter than its data area (a truncated image file, a shrunk
  // device) must not look healthy: reads of the missing tail would fail.
  const uint64_t needed = m.sb.layout.data_offset + m.sb.layout.data_size;
  const uint64_t size = dev.geometry().size_bytes;
  if (size < needed) {
    m.findings.push_back(Finding{Severity::Error, "leg-truncated",
                                 path + " is " + format_size(size) + " but its data area ends at " +
                                     format_size(needed) + " (byte " + std::to_string(needed) +
                                     "); the leg was truncated or shrunk: restore its size or replace it",
                                 path, m.sb.slot});
  }
  return m;
}

// FORMAT.md 2.5: the copy holding the leg's newest valid version is
// overwritten last (copy 0 goes first when both hold the same one). After
// a torn update copy 0 may be newer than copy 1; writing copy 0 first
// again would leave only the older copy 1 if this update tears too, and
// the leg's seqno would go backwards.
static int first_copy(BlockDevice& dev, const Uuid& array) {
  std::optional<Superblock> sb[2];
  CopyInfo c[2];
  bool valid[2];
  for (int i = 0; i < 2; ++i) {
    c[i] = classify(dev, i, sb[i]);
    valid[i] = c[i].state == CopyState::Valid && sb[i]->array_uuid == array;
  }
  return valid[0] && (!valid[1] || c[0].seqno > c[1].seqno) ? 1 : 0;
}

Status write_superblocks(BlockDevice& dev, const Superblock& sb) {
  Block buf{};
  const int first = first_copy(dev, sb.array_uuid);
  for (int i : {first, 1 - first}) {
    encode_superblock(sb, i, buf);
    DMIRROR_RETURN_IF_ERROR(dev.write(sb.layout.sb_offset[i], buf));
    DMIRROR_RETURN_IF_ERROR(dev.flush());
  }
  return ok();
}

Status repair_superblock_copies(BlockDevice& dev, const std::string& path, const LegMetadata& meta) {
  int other = 1 - meta.chosen;
  if (meta.copies[other].state == CopyState::Valid) return ok();
  DMIRROR_ASSIGN_OR_RETURN(auto sigs, probe_signatures(path));
  if (!sigs.empty())
    return make_error(ErrorCode::ForeignSignature,
                      path + " also carries " + sigs.front().describe() +
                          "; refusing to rewrite a superblock copy on an ambiguous device. Check which data is "
                          "right, then wipe the other signature (wipefs) and run the repair again");
  Block buf{};
  encode_superblock(meta.sb, other, buf);
  DMIRROR_RETURN_IF_ERROR(dev.write(meta.sb.layout.sb_offset[other], buf));
  return dev.flush();
}

}  // namespace dmirror
