// SPDX-License-Identifier: LGPL-2.1-or-later
// Reading, choosing and writing a leg's two superblock copies
// (see leg.h and FORMAT.md, "Superblock update order").
#include <dmirror/leg.h>
#include <dmirror/names.h>
#include <dmirror/probe.h>

#include "ondisk/superblock_disk.h"

#include <array>
#include <cstring>
#include <vector>

namespace dmirror {
namespace {

using Block = std::array<std::byte, kSuperblockSize>;

CopyInfo classify_at(BlockDevice& dev, uint64_t offset, std::optional<Superblock>& decoded) {
  CopyInfo c;
  c.offset = offset;
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

CopyInfo classify(BlockDevice& dev, int index, std::optional<Superblock>& decoded) {
  return classify_at(dev, kSuperblockOffset[index], decoded);
}

// Copy 2 (FORMAT.md 2.4 rule 8): where the newest valid of copies 0 and 1
// records it; with neither valid, at the place the device's size gives. A
// copy found there counts only if it says it is copy 2 at that offset
// (decode_superblock checks both), so stray bytes are never taken for one.
CopyInfo classify_tail(BlockDevice& dev, const std::optional<Superblock>* first_two,
                       std::optional<Superblock>& decoded) {
  const std::optional<Superblock>* best = nullptr;
  for (int i = 0; i < 2; ++i)
    if (first_two[i] && (!best || first_two[i]->seqno > (*best)->seqno)) best = &first_two[i];
  if (best) {
    const Superblock& sb = **best;
    if (!(sb.compat & feature::kCompatTailCopy) || sb.tail_offset == 0) return CopyInfo{CopyState::None, 0, 0, ""};
    return classify_at(dev, sb.tail_offset, decoded);
  }
  const uint64_t at = tail_copy_offset(dev.geometry().size_bytes);
  if (at < kSuperblockOffset[1] + kSuperblockSize) return CopyInfo{CopyState::None, 0, 0, ""};
  CopyInfo c = classify_at(dev, at, decoded);
  // Nothing of ours there (an array without copy 2, or another format):
  // the leg has none, as far as anyone can tell. Our magic with a bad
  // checksum is a damaged copy 2.
  if (c.state == CopyState::Blank || c.state == CopyState::IoError) {
    decoded.reset();
    return CopyInfo{CopyState::None, 0, 0, ""};
  }
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
    case CopyState::None: return "none";
  }
  return "unknown";
}

// Where this leg's copy 2 goes: 0 when the array has none (no TAIL_COPY)
// or the leg has no room for it past the data area.
static uint64_t tail_for(BlockDevice& dev, const Superblock& sb) {
  if (!(sb.compat & feature::kCompatTailCopy)) return 0;
  const uint64_t at = tail_copy_offset(dev.geometry().size_bytes);
  return at >= sb.layout.data_offset + sb.layout.data_size && at >= kSuperblockOffset[1] + kSuperblockSize ? at : 0;
}

bool has_superblock_magic(BlockDevice& dev, uint64_t offset) {
  Block buf{};
  return dev.geometry().size_bytes >= offset + kSuperblockSize && dev.read(offset, buf) &&
         std::memcmp(buf.data(), ondisk::kSuperblockMagic, sizeof ondisk::kSuperblockMagic) == 0;
}

Result<LegMetadata> read_leg(BlockDevice& dev) {
  LegMetadata m;
  std::optional<Superblock> sb[3];
  for (int i = 0; i < 2; ++i) m.copies[i] = classify(dev, i, sb[i]);
  m.copies[2] = classify_tail(dev, sb, sb[2]);
  const std::string& path = dev.describe();

  for (int i = 0; i < 3; ++i)
    if (m.copies[i].state == CopyState::Unsupported)
      return make_error(ErrorCode::Unsupported, path + ": " + m.copies[i].detail);
  if (!sb[0] && !sb[1] && !sb[2]) {
    bool corrupt = false, blank = false;
    std::string detail;
    int n = 0;
    for (int i = 0; i < 3; ++i) {
      const CopyInfo& c = m.copies[i];
      if (c.state == CopyState::None) continue;
      ++n;
      corrupt |= c.state == CopyState::Corrupt;
      blank |= c.state == CopyState::Blank;
      detail += (detail.empty() ? "" : "; ") + std::string("copy ") + std::to_string(i) + ": " +
                (c.detail.empty() ? std::string(copy_state_name(c.state)) : c.detail);
    }
    blank = blank && !corrupt;
    bool io = !corrupt && !blank;
    if (blank) return make_error(ErrorCode::NotDmirror, path + " is not a dmirror leg (no superblock found)");
    if (io) return make_error(ErrorCode::Io, path + ": no superblock copy can be read (" + m.copies[0].detail + ")");
    return make_error(ErrorCode::Corruption, path + ": " + (n == 3 ? "all three" : "both") +
                                                 " superblock copies are damaged (" + detail + ")");
  }
  // The newest valid copy; on a tie the lowest index.
  int chosen = -1;
  for (int i = 0; i < 3; ++i)
    if (sb[i] && (chosen < 0 || sb[i]->seqno > sb[chosen]->seqno)) chosen = i;
  for (int i = 0; i < 3; ++i) {
    if (i == chosen || !sb[i]) continue;
    if (sb[i]->seqno < sb[chosen]->seqno) {
      m.copies[i].state = CopyState::Older;
      m.copies[i].detail = "seqno " + std::to_string(sb[i]->seqno) + " < " + std::to_string(sb[chosen]->seqno);
    } else if (sb[i]->array_uuid != sb[chosen]->array_uuid) {
      m.copies[i].state = CopyState::Corrupt;
      m.copies[i].detail = "belongs to another array";
    }
  }
  m.chosen = chosen;
  m.sb = std::move(*sb[chosen]);
  m.read_only = requires_read_only(m.sb);
  for (int i = 0; i < 3; ++i) {
    if (i == chosen || m.copies[i].state == CopyState::Valid || m.copies[i].state == CopyState::None) continue;
    Finding f = copy_finding(i, m.copies[i], chosen);
    f.leg = path;
    f.slot = m.sb.slot;
    m.findings.push_back(std::move(f));
  }
  // Copy 2 where the leg's size puts it (FORMAT.md 1): after a resize a
  // reader that lost copies 0 and 1 would look elsewhere.
  if (m.sb.compat & feature::kCompatTailCopy) {
    const uint64_t want = tail_for(dev, m.sb);
    if (want != m.sb.tail_offset) {
      m.tail_misplaced = true;
      if (m.copies[2].state == CopyState::Valid || m.copies[2].state == CopyState::None)
        m.findings.push_back(Finding{
            Severity::Warning, "superblock-copy-misplaced",
            want == 0 ? "superblock copy 2 at offset " + std::to_string(m.sb.tail_offset) +
                            " has no place on the leg any more (no room past the data area): run 'dmirrorctl "
                            "verify --repair' to drop it"
                      : std::string("superblock copy 2 is ") +
                            (m.sb.tail_offset == 0 ? std::string("missing")
                                                   : "at offset " + std::to_string(m.sb.tail_offset)) +
                            ", but the leg's size puts it at " + std::to_string(want) +
                            " (the leg was resized): a reader that lost copies 0 and 1 would not find it. Run "
                            "'dmirrorctl verify --repair' to move it",
            path, m.sb.slot});
    }
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
// the leg's seqno would go backwards. Copy 2 goes with the second of them,
// after the first is durable: whatever it held, the first one holds newer.
// `old_tail`: where the leg's newest valid copy records its copy 2.
static int first_copy(BlockDevice& dev, const Uuid& array, uint64_t& old_tail) {
  std::optional<Superblock> sb[2];
  CopyInfo c[2];
  bool valid[2];
  for (int i = 0; i < 2; ++i) {
    c[i] = classify(dev, i, sb[i]);
    valid[i] = c[i].state == CopyState::Valid && sb[i]->array_uuid == array;
  }
  const int first = valid[0] && (!valid[1] || c[0].seqno > c[1].seqno) ? 1 : 0;
  old_tail = valid[1 - first] ? sb[1 - first]->tail_offset : valid[first] ? sb[first]->tail_offset : 0;
  return first;
}

Status write_superblocks(BlockDevice& dev, const Superblock& sb_in) {
  Superblock sb = sb_in;
  sb.tail_offset = tail_for(dev, sb);
  Block buf{};
  uint64_t old_tail = 0;
  const int first = first_copy(dev, sb.array_uuid, old_tail);
  // Copy 2 moves (the leg was resized, or it gets its first one): the new
  // copy 2 is durable before any copy points at it, so that a cut after
  // the first copy never leaves a leg whose only reachable copy is gone.
  const bool moving = sb.tail_offset != 0 && old_tail != sb.tail_offset;
  if (moving) {
    encode_superblock(sb, 2, buf);
    DMIRROR_RETURN_IF_ERROR(dev.write(sb.tail_offset, buf));
    DMIRROR_RETURN_IF_ERROR(dev.flush());
  }
  encode_superblock(sb, first, buf);
  DMIRROR_RETURN_IF_ERROR(dev.write(sb.layout.sb_offset[first], buf));
  DMIRROR_RETURN_IF_ERROR(dev.flush());
  encode_superblock(sb, 1 - first, buf);
  DMIRROR_RETURN_IF_ERROR(dev.write(sb.layout.sb_offset[1 - first], buf));
  if (sb.tail_offset != 0 && !moving) {
    encode_superblock(sb, 2, buf);
    DMIRROR_RETURN_IF_ERROR(dev.write(sb.tail_offset, buf));
  }
  DMIRROR_RETURN_IF_ERROR(dev.flush());
  // A copy 2 a resize left behind (where the leg's copies recorded it, or
  // where its size when it joined put it: a move cut short leaves one there)
  // is zeroed once the new copies are durable, if it lies past the data
  // area and is ours, so that no reader, `wipe` or `create` takes it.
  const uint64_t joined = sb.slot < kMaxLegs ? tail_copy_offset(sb.legs[sb.slot].device_size) : 0;
  bool zeroed = false;
  for (uint64_t at : {old_tail, joined}) {
    if (at == 0 || at == sb.tail_offset || at < sb.layout.data_offset + sb.layout.data_size ||
        !has_superblock_magic(dev, at))
      continue;
    buf.fill(std::byte{0});
    DMIRROR_RETURN_IF_ERROR(dev.write(at, buf));
    zeroed = true;
  }
  return zeroed ? dev.flush() : ok();
}

Result<std::vector<CopyRepair>> repair_superblock_copies(BlockDevice& dev, const std::string& path,
                                                         const LegMetadata& meta) {
  std::vector<CopyRepair> out;
  if (meta.copies_agree()) return out;
  DMIRROR_ASSIGN_OR_RETURN(auto sigs, probe_signatures(path));
  if (!sigs.empty())
    return make_error(ErrorCode::ForeignSignature,
                      path + " also carries " + sigs.front().describe() +
                          "; refusing to rewrite a superblock copy on an ambiguous device. Check which data is "
                          "right, then wipe the other signature (wipefs) and run the repair again");
  const uint64_t want = tail_for(dev, meta.sb);
  const uint64_t old = meta.sb.tail_offset;
  const bool move = (meta.sb.compat & feature::kCompatTailCopy) && want != old;
  for (int i = 0; i < 2; ++i)
    if (i != meta.chosen && meta.copies[i].state != CopyState::Valid)
      out.push_back({i, meta.copies[i].state, meta.copies[i].offset, meta.copies[i].offset, false});
  if (move) {
    out.push_back({2, meta.copies[2].state, old, want, want == 0});
  } else if (meta.chosen != 2 && meta.copies[2].state != CopyState::Valid && meta.copies[2].state != CopyState::None) {
    if (old != 0 && dev.geometry().size_bytes >= old + kSuperblockSize)
      out.push_back({2, meta.copies[2].state, old, old, false});
  }
  // Every copy of the chosen version, in the order of an update (2.5):
  // the same seqno, copy 2 where the leg's size puts it.
  // (write_superblocks zeroes a copy 2 a resize left behind.)
  DMIRROR_RETURN_IF_ERROR(write_superblocks(dev, meta.sb));
  return out;
}

}  // namespace dmirror
