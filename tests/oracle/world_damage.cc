// SPDX-License-Identifier: LGPL-2.1-or-later
// The oracle's own doings: legs removed and returned, snapshots and
// rollbacks, truncation and growth, bit rot, foreign signatures.
#include <cstring>

#include "oracle/sector_data.h"
#include "oracle/world.h"

namespace dmirror::oracle {
namespace {

template <class V>
auto pick(const V& v, std::mt19937_64& rng) { return v[rng() % v.size()]; }

}  // namespace

std::vector<std::byte> swap_page(uint64_t size, uint64_t seed) {
  std::vector<std::byte> p(4096, std::byte{0});
  auto put32 = [&](size_t off, uint32_t v) { std::memcpy(p.data() + off, &v, 4); };
  put32(1024, 1);
  put32(1028, static_cast<uint32_t>(size / 4096 - 1));
  put32(1032, 0);
  for (int i = 0; i < 16; ++i) p[1036 + i] = std::byte(static_cast<uint8_t>(seed >> (i % 8 * 8)) ^ i);
  std::memcpy(p.data() + 1052, "oracle-swap", 11);
  std::memcpy(p.data() + 4086, "SWAPSPACE2", 10);
  return p;
}

StepResult World::damage(StepKind k, std::mt19937_64& rng) {
  StepResult r;
  r.note = std::string(step_name(k));
  auto mem = members();
  auto present = present_members();
  switch (k) {
    case StepKind::RemoveLeg: {
      if (present.size() <= 1) break;
      size_t f = pick(present, rng);
      files_[f].present = false;
      r.note += " slot " + std::to_string(files_[f].slot);
      break;
    }
    case StepKind::ReturnLeg: {
      std::vector<size_t> absent;
      for (size_t f : mem) if (!files_[f].present) absent.push_back(f);
      if (absent.empty()) break;
      size_t f = pick(absent, rng);
      files_[f].present = true;
      r.note += " slot " + std::to_string(files_[f].slot);
      break;
    }
    case StepKind::Snapshot: {
      size_t f = pick(mem, rng);
      snaps_.push_back({f, files_[f].generation, load_image(files_[f].path), files_[f].foreign});
      if (snaps_.size() > 4) snaps_.erase(snaps_.begin());
      r.note += " slot " + std::to_string(files_[f].slot) + " (snapshot " + std::to_string(snaps_.size() - 1) + ")";
      break;
    }
    case StepKind::Rollback: {
      std::vector<size_t> ok;
      for (size_t i = 0; i < snaps_.size(); ++i)
        if (files_[snaps_[i].file].member && files_[snaps_[i].file].generation == snaps_[i].generation) ok.push_back(i);
      if (ok.empty()) break;
      const Snap& s = snaps_[pick(ok, rng)];
      LegFile& lf = files_[s.file];
      store_image(lf.path, s.image);
      lf.truncated = s.image.size < kLegSize;
      lf.foreign = s.foreign;
      r.rolled_back = s.file;
      r.note += " slot " + std::to_string(lf.slot);
      break;
    }
    case StepKind::Truncate: {
      size_t f = pick(mem, rng);
      uint64_t size = kDataOffset + (rng() % (kDataSize / FileImage::kPage)) * FileImage::kPage;
      if (size >= file_size(files_[f].path)) break;
      resize_file(files_[f].path, size);
      files_[f].truncated = true;
      r.note += " slot " + std::to_string(files_[f].slot) + " to " + std::to_string(size);
      break;
    }
    case StepKind::Grow: {
      size_t f = pick(mem, rng);
      const uint64_t before = file_size(files_[f].path);
      uint64_t size = files_[f].truncated ? kLegSize : before + kDataAlign;
      // The cut part comes back as zeros: silent damage, like rot, that no
      // command can notice without a check.
      for (uint64_t s = 0; s < kSectors; ++s)
        if (kDataOffset + (s + 1) * kSector > before) model_[s].zeroed = true;
      resize_file(files_[f].path, size);
      files_[f].truncated = false;
      r.note += " slot " + std::to_string(files_[f].slot) + " to " + std::to_string(size);
      break;
    }
    case StepKind::BitRot: {
      size_t f = pick(mem, rng);
      uint64_t s = rng() % kSectors;
      uint64_t valid = 0;
      auto sec = read_bytes(files_[f].path, kDataOffset + s * kSector, kSector, &valid);
      if (valid < kSector) break;
      int n = 1 + static_cast<int>(rng() % 8);
      for (int i = 0; i < n; ++i) sec[rng() % kSector] ^= std::byte(static_cast<uint8_t>(1 + rng() % 255));
      if (decode_sector(sec, s) != kGarbage) break;   // the flips cancelled out
      write_bytes(files_[f].path, kDataOffset + s * kSector, sec);
      model_[s].rot = true;
      r.note += " slot " + std::to_string(files_[f].slot) + " sector " + std::to_string(s);
      break;
    }
    case StepKind::ForeignSignature: {
      size_t f = pick(mem, rng);
      if (files_[f].foreign) break;
      auto page = swap_page(file_size(files_[f].path), rng());
      write_bytes(files_[f].path, 0, page);
      files_[f].foreign = page;
      r.damaged_sb = f;
      r.note += " slot " + std::to_string(files_[f].slot);
      break;
    }
    default: break;
  }
  return r;
}

}  // namespace dmirror::oracle
