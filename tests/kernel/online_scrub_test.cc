// SPDX-License-Identifier: LGPL-2.1-or-later
// When the online scrub may say the kernel's check (or repair) ran: only
// once the array is idle and the device's event counter moved, which md
// does when it reaps the sync thread. A thread that finished its I/O but is
// not yet reaped already reads "idle"; a repair sent then is cleared by the
// reap and never runs, so "idle after being seen running" is not the end.
#include <dmirror/dm/online/online_scrub.h>

#include <gtest/gtest.h>

namespace dmirror::dm {
namespace {

using std::chrono::milliseconds;
constexpr milliseconds kConfirm{5000};

TEST(OnlineScrubProgress, RunningIsWaiting) {
  EXPECT_EQ(action_progress(true, false, milliseconds(100), kConfirm), ActionProgress::Waiting);
  EXPECT_EQ(action_progress(true, true, milliseconds(60000), kConfirm), ActionProgress::Waiting);
}

TEST(OnlineScrubProgress, IdleWithTheReapEventIsFinished) {
  EXPECT_EQ(action_progress(false, true, milliseconds(0), kConfirm), ActionProgress::Finished);
  EXPECT_EQ(action_progress(false, true, milliseconds(300), kConfirm), ActionProgress::Finished);
}

TEST(OnlineScrubProgress, IdleBeforeTheReapIsStillWaiting) {
  // Seen running, now idle, no event yet: done but not reaped.
  EXPECT_EQ(action_progress(false, false, milliseconds(300), kConfirm), ActionProgress::Waiting);
}

TEST(OnlineScrubProgress, IdleWithoutTheEventIsNeverFinished) {
  EXPECT_EQ(action_progress(false, false, milliseconds(5001), kConfirm), ActionProgress::Unconfirmed);
}

}  // namespace
}  // namespace dmirror::dm
