// SPDX-License-Identifier: LGPL-2.1-or-later
// When the online scrub may say the kernel's check ran: only after seeing
// the sync action run, or the device signalling its end (event counter or
// mismatch count moved); idle without either past the confirmation time is
// "could not confirm", never a clean result.
#include <dmirror/dm/online/online_scrub.h>

#include <gtest/gtest.h>

namespace dmirror::dm {
namespace {

using std::chrono::milliseconds;
constexpr milliseconds kConfirm{5000};

TEST(OnlineScrubProgress, RunningIsWaiting) {
  EXPECT_EQ(action_progress(true, true, false, milliseconds(100), kConfirm), ActionProgress::Waiting);
  EXPECT_EQ(action_progress(true, true, false, milliseconds(60000), kConfirm), ActionProgress::Waiting);
}

TEST(OnlineScrubProgress, IdleAfterSeenRunningOrASignalIsFinished) {
  EXPECT_EQ(action_progress(false, true, false, milliseconds(300), kConfirm), ActionProgress::Finished);
  EXPECT_EQ(action_progress(false, false, true, milliseconds(300), kConfirm), ActionProgress::Finished);
}

TEST(OnlineScrubProgress, IdleWithoutEvidenceIsNeverFinished) {
  EXPECT_EQ(action_progress(false, false, false, milliseconds(300), kConfirm), ActionProgress::Waiting);
  EXPECT_EQ(action_progress(false, false, false, milliseconds(5001), kConfirm), ActionProgress::Unconfirmed);
}

}  // namespace
}  // namespace dmirror::dm
