// SPDX-License-Identifier: LGPL-2.1-or-later
// The ioctl DmControl against a scripted transport: minimum interface
// minors, header lookup keys, BUFFER_FULL retries, EBUSY retries on remove,
// errno mapping and the udev cookie / manual node handling.
#include <dmirror/dm/dm_control.h>
#include <dmirror/dm/dm_payload.h>

#include <gtest/gtest.h>
#include <linux/dm-ioctl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <functional>

namespace dmirror::dm {
namespace {

struct Seen {
  unsigned long cmd;
  dm_ioctl header;
  std::vector<std::byte> payload;
};

class ScriptedTransport : public DmTransport {
 public:
  // Handler: fills the buffer like the kernel; returns 0 or an errno.
  std::function<int(unsigned long, dm_ioctl&, std::byte*)> handler;
  std::vector<Seen>* seen;

  explicit ScriptedTransport(std::vector<Seen>* s) : seen(s) {}
  int call(unsigned long cmd, void* buf) override {
    auto* bytes = static_cast<std::byte*>(buf);
    dm_ioctl h;
    std::memcpy(&h, bytes, sizeof h);
    Seen s{cmd, h, {}};
    if (h.data_size > sizeof h) s.payload.assign(bytes + sizeof h, bytes + h.data_size);
    seen->push_back(std::move(s));
    h.version[0] = 4; h.version[1] = 47; h.version[2] = 0;
    h.data_start = sizeof(dm_ioctl);
    int r = handler ? handler(cmd, h, bytes) : 0;
    if (r == 0) std::memcpy(bytes, &h, sizeof h);
    else std::memcpy(bytes, &h, 12);  // only the version reaches userspace on failure
    return r;
  }
};

class IoctlControlTest : public ::testing::Test {
 protected:
  void SetUp() override { make({}); }
  void make(ControlOptions o) {
    o.capture_kernel_log = false;
    if (o.node_policy == NodePolicy::Auto) o.node_policy = NodePolicy::None;
    o.busy_retry_delay = std::chrono::milliseconds(1);
    auto t = std::make_unique<ScriptedTransport>(&seen);
    transport = t.get();
    auto c = make_dm_control(std::move(t), o);
    ASSERT_TRUE(c) << c.error().message;
    dm = std::move(*c);
  }
  const Seen& last() const { return seen.back(); }

  std::vector<Seen> seen;
  ScriptedTransport* transport = nullptr;
  std::unique_ptr<DmControl> dm;
};

TEST_F(IoctlControlTest, HandshakeSendsMinorZeroAndReadsKernelVersion) {
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].cmd, DM_VERSION);
  EXPECT_EQ(seen[0].header.version[0], 4u);
  EXPECT_EQ(seen[0].header.version[1], 0u);
  auto v = dm->interface_version();
  ASSERT_TRUE(v);
  EXPECT_EQ(*v, (Version{4, 47, 0}));
}

TEST_F(IoctlControlTest, EachCommandSendsItsMinimumMinor) {
  (void)dm->target_version("raid");
  EXPECT_EQ(last().cmd, DM_GET_TARGET_VERSION);
  EXPECT_EQ(last().header.version[1], 41u);
  EXPECT_STREQ(last().header.name, "raid");
  (void)dm->target_message(DeviceRef::by_name("v"), 0, "check");
  EXPECT_EQ(last().cmd, DM_TARGET_MSG);
  EXPECT_EQ(last().header.version[1], 2u);
  (void)dm->arm_poll();
  EXPECT_EQ(last().cmd, DM_DEV_ARM_POLL);
  EXPECT_EQ(last().header.version[1], 36u);
  (void)dm->device_info(DeviceRef::by_name("v"));
  EXPECT_EQ(last().header.version[1], 0u);
}

TEST_F(IoctlControlTest, LookupSendsExactlyOneKey) {
  (void)dm->device_info(DeviceRef{"name", "uuid-1", DevNumber{254, 1}});
  EXPECT_STREQ(last().header.uuid, "uuid-1");
  EXPECT_STREQ(last().header.name, "");
  EXPECT_EQ(last().header.dev, 0u);
  (void)dm->device_info(DeviceRef::by_dev(DevNumber{254, 7}));
  EXPECT_EQ(last().header.dev, makedev(254, 7));
  EXPECT_STREQ(last().header.name, "");
}

TEST_F(IoctlControlTest, CreateSendsNameAndUuid) {
  transport->handler = [](unsigned long, dm_ioctl& h, std::byte*) {
    h.dev = makedev(254, 3);
    return 0;
  };
  auto info = dm->create_device("vol", "DMIRROR-u");
  ASSERT_TRUE(info);
  EXPECT_EQ(last().cmd, DM_DEV_CREATE);
  EXPECT_STREQ(last().header.name, "vol");
  EXPECT_STREQ(last().header.uuid, "DMIRROR-u");
  EXPECT_EQ(info->dev, (DevNumber{254, 3}));
}

TEST_F(IoctlControlTest, LoadPacksTargetsAfterTheHeader) {
  std::vector<TargetLine> t{{0, 8, "linear", "254:0 0"}, {8, 8, "error", ""}};
  ASSERT_TRUE(dm->load_table(DeviceRef::by_name("v"), t, {.read_only = true}));
  EXPECT_EQ(last().cmd, DM_TABLE_LOAD);
  EXPECT_EQ(last().header.target_count, 2u);
  EXPECT_EQ(last().header.data_start, 312u);
  EXPECT_TRUE(last().header.flags & DM_READONLY_FLAG);
  auto packed = pack_table(t);
  ASSERT_EQ(last().header.data_size, 312u + packed->size());
  EXPECT_EQ(std::memcmp(last().payload.data(), packed->data(), packed->size()), 0);
}

TEST_F(IoctlControlTest, BufferFullRetriesWithDoubledBuffer) {
  transport->handler = [](unsigned long cmd, dm_ioctl& h, std::byte* buf) {
    if (cmd != DM_TABLE_STATUS) return 0;
    if (h.data_size < 64 * 1024) {
      h.flags |= DM_BUFFER_FULL_FLAG;
      h.target_count = 1;
      return 0;
    }
    dm_target_spec s{};
    s.length = 128;
    std::memcpy(s.target_type, "raid", 4);
    const char text[] = "raid1 2 AA 128/128 idle 0 0 -";
    s.next = static_cast<uint32_t>(align8(sizeof s + sizeof text));
    std::memcpy(buf + 312, &s, sizeof s);
    std::memcpy(buf + 312 + sizeof s, text, sizeof text);
    h.target_count = 1;
    h.data_size = 312 + s.next;
    return 0;
  };
  auto st = dm->table_status(DeviceRef::by_name("v"), StatusType::Info);
  ASSERT_TRUE(st) << st.error().message;
  ASSERT_EQ(seen.size(), 4u);  // handshake + 16K, 32K, 64K
  EXPECT_EQ(seen[1].header.data_size, 16u * 1024);
  EXPECT_EQ(seen[2].header.data_size, 32u * 1024);
  EXPECT_EQ(seen[3].header.data_size, 64u * 1024);
  ASSERT_EQ(st->targets.size(), 1u);
  EXPECT_EQ(st->targets[0].params, "raid1 2 AA 128/128 idle 0 0 -");
}

TEST_F(IoctlControlTest, TableStatusFlagSelectsTableLines) {
  (void)dm->table_status(DeviceRef::by_name("v"), StatusType::Table);
  EXPECT_TRUE(last().header.flags & DM_STATUS_TABLE_FLAG);
  (void)dm->table_status(DeviceRef::by_name("v"), StatusType::Info);
  EXPECT_FALSE(last().header.flags & DM_STATUS_TABLE_FLAG);
}

TEST_F(IoctlControlTest, RemoveRetriesBusy) {
  int calls = 0;
  transport->handler = [&](unsigned long, dm_ioctl&, std::byte*) { return ++calls < 3 ? EBUSY : 0; };
  ASSERT_TRUE(dm->remove_device(DeviceRef::by_name("v")));
  EXPECT_EQ(calls, 3);
}

TEST_F(IoctlControlTest, RemoveWithoutRetryReportsBusy) {
  transport->handler = [](unsigned long, dm_ioctl&, std::byte*) { return EBUSY; };
  auto st = dm->remove_device(DeviceRef::by_name("v"), {.retry_busy = false});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, ErrorCode::Busy);
  EXPECT_EQ(seen.size(), 2u);
  EXPECT_NE(st.error().message.find("open"), std::string::npos);
}

TEST_F(IoctlControlTest, DeferredRemoveAndSuspendFlags) {
  (void)dm->remove_device(DeviceRef::by_name("v"), {.deferred = true});
  EXPECT_TRUE(last().header.flags & DM_DEFERRED_REMOVE);
  (void)dm->suspend(DeviceRef::by_name("v"), {.noflush = true, .skip_lockfs = true});
  EXPECT_EQ(last().header.flags, DM_SUSPEND_FLAG | DM_NOFLUSH_FLAG | DM_SKIP_LOCKFS_FLAG);
  (void)dm->resume(DeviceRef::by_name("v"));
  EXPECT_EQ(last().header.flags, 0u);
}

TEST_F(IoctlControlTest, ErrnoBecomesTypedErrorWithAdvice) {
  transport->handler = [](unsigned long, dm_ioctl&, std::byte*) { return EACCES; };
  auto r = dm->create_device("v", "");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::PermissionDenied);
  EXPECT_NE(r.error().message.find("CAP_SYS_ADMIN"), std::string::npos);
  transport->handler = [](unsigned long, dm_ioctl&, std::byte*) { return ENXIO; };
  auto i = dm->device_info(DeviceRef::by_name("gone"));
  ASSERT_FALSE(i);
  EXPECT_EQ(i.error().code, ErrorCode::NotFound);
  EXPECT_NE(i.error().message.find("gone"), std::string::npos);
  transport->handler = [](unsigned long, dm_ioctl&, std::byte*) { return EBUSY; };
  auto c = dm->create_device("v", "");
  EXPECT_EQ(c.error().code, ErrorCode::Exists);
}

TEST_F(IoctlControlTest, OverlongNameIsRefusedBeforeTheKernel) {
  auto r = dm->create_device(std::string(128, 'a'), "");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(seen.size(), 1u);
}

TEST_F(IoctlControlTest, ListSendsUuidPrefixAndFiltersReply) {
  transport->handler = [](unsigned long, dm_ioctl& h, std::byte* buf) {
    // two records: "a" (DMIRROR-x) and "b" (OTHER-y)
    std::byte* p = buf + 312;
    auto put = [&](size_t off, uint64_t dev, uint32_t next, const char* name, const char* uuid) {
      std::memcpy(p + off, &dev, 8);
      std::memcpy(p + off + 8, &next, 4);
      std::memcpy(p + off + 12, name, std::strlen(name) + 1);
      size_t tail = align8(off + 12 + std::strlen(name) + 1);
      uint32_t ev = 5, fl = DM_NAME_LIST_FLAG_HAS_UUID;
      std::memcpy(p + tail, &ev, 4);
      std::memcpy(p + tail + 4, &fl, 4);
      std::memcpy(p + tail + 8, uuid, std::strlen(uuid) + 1);
    };
    put(0, makedev(254, 1), 48, "a", "DMIRROR-x");
    put(48, makedev(254, 2), 0, "b", "OTHER-y");
    h.data_size = 312 + 96;
    return 0;
  };
  auto l = dm->list_devices("DMIRROR-");
  ASSERT_TRUE(l) << l.error().message;
  EXPECT_STREQ(last().header.uuid, "DMIRROR-");
  EXPECT_TRUE(last().header.flags & DM_UUID_FLAG);
  ASSERT_EQ(l->size(), 1u);
  EXPECT_EQ((*l)[0].name, "a");
  EXPECT_EQ((*l)[0].event_nr, 5u);
}

TEST_F(IoctlControlTest, TargetMessageReturnsReplyText) {
  transport->handler = [](unsigned long, dm_ioctl& h, std::byte* buf) {
    std::memcpy(buf + 312, "pong", 5);
    h.flags |= DM_DATA_OUT_FLAG;
    h.data_size = 312 + 8;
    return 0;
  };
  auto r = dm->target_message(DeviceRef::by_name("v"), 0, "ping");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "pong");
}

TEST_F(IoctlControlTest, UdevPolicySendsCookieFlags) {
  seen.clear();
  make({.dev_dir = "/nonexistent", .node_policy = NodePolicy::Udev, .udev_timeout = std::chrono::milliseconds(1)});
  (void)dm->resume(DeviceRef::by_name("v"), 0x000e);
  EXPECT_EQ(last().header.event_nr, uint32_t{0x004e} << 16);
  (void)dm->remove_device(DeviceRef::by_name("v"), {.udev_flags = 0x000e});
  EXPECT_EQ(last().header.event_nr, uint32_t{0x004e} << 16);
}

TEST_F(IoctlControlTest, ManualPolicyCreatesAndRemovesMapperNode) {
  auto dir = std::filesystem::temp_directory_path() / ("kg-nodes-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  ControlOptions o;
  o.node_policy = NodePolicy::Manual;
  o.dev_dir = dir.string();
  make(o);
  transport->handler = [](unsigned long, dm_ioctl& h, std::byte*) {
    std::strcpy(h.name, "vol");
    h.dev = makedev(254, 9);
    return 0;
  };
  ASSERT_TRUE(dm->resume(DeviceRef::by_name("vol")));
  EXPECT_EQ(last().header.event_nr, 0u);  // no cookie without udev
  EXPECT_TRUE(std::filesystem::is_symlink(dir / "mapper/vol") || std::filesystem::exists(dir / "mapper/vol"));
  ASSERT_TRUE(dm->remove_device(DeviceRef::by_name("vol")));
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::symlink_status(dir / "mapper/vol")));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace dmirror::dm
