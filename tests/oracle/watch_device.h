// SPDX-License-Identifier: LGPL-2.1-or-later
// The devices the oracle hands to every library command: a leg image file
// opened through the real POSIX device, wrapped so that the oracle sees
// every write (how many, whether one reached the data area) and, when the
// array lock exists, whether the image file was locked by someone while it
// was written (FORMAT.md 2.6 rule 16: flock on each leg's image file).
#pragma once

#include <dmirror/block_device.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace dmirror::oracle {

// A pause point: `fn` runs once, at the first read or write through any
// device armed with it; I/O through those devices from other threads waits
// until it has returned (the command is stopped there, mid-run).
struct PausePoint {
  std::once_flag once;
  std::function<void()> fn;
  bool fired = false;
  void fire() {
    std::call_once(once, [this] {
      fired = true;
      if (fn) fn();
    });
  }
};

class WatchDevice final : public DeviceWrapper {
 public:
  WatchDevice(std::unique_ptr<BlockDevice> inner, std::string path, bool check_lock);
  Status read(uint64_t offset, std::span<std::byte> buf) override;
  Status write(uint64_t offset, std::span<const std::byte> buf) override;

  std::shared_ptr<PausePoint> pause;   // armed by the oracle once the command holds the lock

  uint64_t writes = 0;
  uint64_t data_writes = 0;        // writes reaching the data area
  uint64_t unlocked_writes = 0;    // writes while nobody held the image file's flock

 private:
  std::unique_ptr<BlockDevice> inner_;
  std::string path_;
  bool check_lock_;
};

// The image files opened for one command (writable or not), in the order given.
struct CommandLegs {
  std::vector<std::unique_ptr<WatchDevice>> devs;
  std::vector<std::string> errors;     // files that could not be opened
  std::vector<BlockDevice*> ptrs() const;
  uint64_t writes() const;
  uint64_t data_writes() const;
  uint64_t unlocked_writes() const;
  void arm(const std::shared_ptr<PausePoint>& p) const;
};

CommandLegs open_command_legs(const std::vector<std::string>& paths, bool writable, bool check_lock);

}  // namespace dmirror::oracle
