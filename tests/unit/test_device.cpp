// SPDX-License-Identifier: GPL-2.0 OR MIT
// The device source against a fake driver behind the system-call seam:
// record layout, ENOSPC retry, ABI mismatch, EINTR, record stride.
#include <procinfo/error.hpp>
#include <procinfo/model.hpp>
#include <procinfo/source.hpp>

#include "helpers.hpp"
#include "internal.hpp"
#include "sys.hpp"

#include <fmt/format.h>
#include <boost/test/unit_test.hpp>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <vector>

namespace {

// The ABI 1.0 layout, checked at compile time.
static_assert(sizeof(procinfo_record) == PROCINFO_RECORD_SIZE_VER0);
static_assert(sizeof(procinfo_snapshot_req) == PROCINFO_SNAPSHOT_REQ_SIZE_VER0);
static_assert(sizeof(procinfo_version) % 8 == 0);
static_assert(offsetof(procinfo_record, pid) == 0);
static_assert(offsetof(procinfo_record, state) == 24);
static_assert(offsetof(procinfo_record, comm) == 32);
static_assert(offsetof(procinfo_record, vsz_kb) == 48);
static_assert(offsetof(procinfo_record, mem_pct_x100) == 64);
static_assert(offsetof(procinfo_record, utime_ns) == 72);
static_assert(offsetof(procinfo_record, cpu_ticks) == 88);
static_assert(offsetof(procinfo_record, start_time_ns) == 96);
static_assert(offsetof(procinfo_record, cmdline_offset) == 104);
static_assert(offsetof(procinfo_record, cgroup_offset) == 112);
static_assert(offsetof(procinfo_record, container_id_len) == 128);
static_assert(offsetof(procinfo_record, reserved) == 136);
static_assert(offsetof(procinfo_snapshot_req, buf) == 8);
static_assert(offsetof(procinfo_snapshot_req, needed) == 24);
static_assert(offsetof(procinfo_snapshot_req, mem_total_kb) == 64);
static_assert(offsetof(procinfo_snapshot_req, reserved) == 96);
static_assert(procinfo::ProcessFlag::kernel_thread == procinfo::ProcessFlag{PROCINFO_REC_KTHREAD});
static_assert(procinfo::ProcessFlag::container == procinfo::ProcessFlag{PROCINFO_REC_CONTAINER});
static_assert(procinfo::ProcessFlag::cmdline_truncated ==
              procinfo::ProcessFlag{PROCINFO_REC_CMDLINE_TRUNCATED});
static_assert(procinfo::ProcessFlag::no_mm == procinfo::ProcessFlag{PROCINFO_REC_NO_MM});
static_assert(procinfo::cmdline_max == PROCINFO_CMDLINE_MAX);

constexpr int fake_fd = 1000;

// A driver in user space. Each snapshot has `count` processes; `grow` more
// appear on every new walk (a busy system).
struct FakeDriver {
  std::uint32_t major = PROCINFO_ABI_MAJOR;
  std::uint32_t minor = 3;
  std::uint32_t record_size = PROCINFO_RECORD_SIZE_VER0;
  std::uint32_t count = 3;
  std::uint32_t grow = 0;
  bool honour_retry = true;
  bool abi1_driver = false;  // answers only the ABI 1.x numbers (magic 0xB8)
  // Reports PROCINFO_FEAT_CONTAINER_ID. Records carry identity either way
  // (a driver without the feature must not have them read).
  bool identity_feature = true;
  // Reports PROCINFO_FEAT_NO_CMDLINE; without it the flag is refused.
  bool no_cmdline_feature = true;
  int failing_snapshots = 0;  // calls that fail with EIO first
  int opens = 0;
  int eintr_opens = 0;
  int eintr_ioctls = 0;
  int walks = 0;
  int snapshot_calls = 0;
  int open_fds = 0;
  std::vector<std::uint32_t> flags_seen;
  std::uint32_t pending = 0;  // process count of the snapshot left pending by ENOSPC

  std::uint64_t bytes_for(std::uint32_t n, bool no_cmdline) const {
    std::uint64_t strings = 0;
    for (std::uint32_t i = 0; i < n; ++i)
      strings += (no_cmdline ? 0 : cmdline(i).size()) + cgroup(i).size();
    return static_cast<std::uint64_t>(n) * record_size + strings;
  }
  // Process 3 is in a Kubernetes pod's containerd container; the others in
  // a plain systemd unit.
  static constexpr std::string_view pod = "1b4e28ba-2fa1-11d2-883f-0016d3cca427";
  static std::string container_id() { return std::string(64, 'c'); }
  static std::string cgroup(std::uint32_t i) {
    if (i != 3) return "/system.slice/cron.service";
    return "/kubepods.slice/kubepods-pod1b4e28ba_2fa1_11d2_883f_0016d3cca427.slice/"
           "cri-containerd-" +
           container_id() + ".scope/" + std::string(pod);
  }
  static std::string cmdline(std::uint32_t i) {
    if (i == 1) return "";  // a kernel thread
    return std::string("prog\0--arg\0", 11) + std::to_string(i);
  }

  int snapshot(procinfo_snapshot_req* req) {
    ++snapshot_calls;
    flags_seen.push_back(req->flags);
    if (req->size < PROCINFO_SNAPSHOT_REQ_SIZE_VER0 || (req->flags & ~PROCINFO_SNAP_ALL_FLAGS) ||
        (!no_cmdline_feature && (req->flags & PROCINFO_SNAP_NO_CMDLINE))) {
      errno = EINVAL;
      return -1;
    }
    if (failing_snapshots > 0) {
      --failing_snapshots;
      errno = EIO;
      return -1;
    }
    const bool no_cmdline = (req->flags & PROCINFO_SNAP_NO_CMDLINE) != 0;
    std::uint32_t n;
    if ((req->flags & PROCINFO_SNAP_RETRY) && pending && honour_retry) {
      n = pending;
    } else {
      ++walks;
      n = count + grow * static_cast<std::uint32_t>(walks - 1);
    }
    const std::uint64_t needed = bytes_for(n, no_cmdline);
    req->needed = needed;
    req->record_size = record_size;
    req->records_offset = 0;
    req->strings_offset = static_cast<std::uint64_t>(n) * record_size;
    req->mem_total_kb = 4000000;
    req->mem_free_kb = 1000000;
    req->user_hz = 100;
    if (req->buf_len < needed) {
      req->nr_records = 0;
      pending = n;
      errno = ENOSPC;
      return -1;
    }
    pending = 0;
    auto* buf = reinterpret_cast<unsigned char*>(static_cast<std::uintptr_t>(req->buf));
    std::uint32_t strings = 0;
    for (std::uint32_t i = 0; i < n; ++i) {
      std::vector<unsigned char> raw(record_size, 0xAB);  // bytes past sizeof: future fields
      procinfo_record rec{};
      rec.pid = 10 + i;
      rec.ppid = 1;
      rec.uid = 1000 + i;
      rec.gid = 2000 + i;
      rec.nr_threads = 1 + i;
      rec.state = i == 1 ? 'I' : 'S';
      rec.flags = i == 1 ? (PROCINFO_REC_KTHREAD | PROCINFO_REC_NO_MM) : 0;
      const std::string comm = i == 2 ? std::string("bad\xff" "name)x y12345", 15) : fmt::format("p{}", i);
      std::memcpy(rec.comm, comm.data(), std::min<std::size_t>(comm.size(), 16));
      rec.vsz_kb = 100 * i;
      rec.rss_kb = 10 * i;
      rec.mem_pct_x100 = i;
      rec.utime_ns = 1000000ULL * i;
      rec.stime_ns = 2000000ULL * i;
      rec.cpu_ticks = i;
      rec.start_time_ns = 123456789ULL * i;
      const std::string cmd = no_cmdline ? "" : cmdline(i);
      rec.cmdline_offset = strings;
      rec.cmdline_len = static_cast<std::uint32_t>(cmd.size());
      std::memcpy(raw.data(), &rec, sizeof(rec));
      std::memcpy(buf + static_cast<std::size_t>(i) * record_size, raw.data(), record_size);
      std::memcpy(buf + req->strings_offset + strings, cmd.data(), cmd.size());
      strings += static_cast<std::uint32_t>(cmd.size());
      // The id and the pod uid point into the stored path: strings may be
      // shared.
      const std::string path = cgroup(i);
      rec.cgroup_offset = strings;
      rec.cgroup_len = static_cast<std::uint32_t>(path.size());
      if (i == 3) {
        rec.runtime = PROCINFO_RUNTIME_CONTAINERD;
        rec.reasons = PROCINFO_REASON_CGROUP | PROCINFO_REASON_PIDNS;
        rec.flags |= PROCINFO_REC_CONTAINER;
        rec.container_id_offset = strings + static_cast<std::uint32_t>(path.find(container_id()));
        rec.container_id_len = 64;
        rec.pod_uid_offset = strings + static_cast<std::uint32_t>(path.rfind(pod));
        rec.pod_uid_len = static_cast<std::uint8_t>(pod.size());
      }
      std::memcpy(raw.data(), &rec, sizeof(rec));
      std::memcpy(buf + static_cast<std::size_t>(i) * record_size, raw.data(), record_size);
      std::memcpy(buf + req->strings_offset + strings, path.data(), path.size());
      strings += static_cast<std::uint32_t>(path.size());
    }
    req->nr_records = n;
    req->strings_len = strings;
    return 0;
  }
};

FakeDriver* driver = nullptr;

int fake_open(const char* path, int) {
  if (driver->eintr_opens > 0) {
    --driver->eintr_opens;
    errno = EINTR;
    return -1;
  }
  if (std::string_view(path) != "/dev/fake") {
    errno = ENOENT;
    return -1;
  }
  ++driver->open_fds;
  ++driver->opens;
  return fake_fd;
}

ssize_t fake_read(int, void*, std::size_t) {
  errno = EINVAL;
  return -1;
}

int fake_ioctl(int fd, unsigned long request, void* arg) {
  BOOST_REQUIRE(fd == fake_fd);
  if (driver->eintr_ioctls > 0) {
    --driver->eintr_ioctls;
    errno = EINTR;
    return -1;
  }
  if (driver->abi1_driver) {
    if (request == PROCINFO_IOC_VERSION_V1) {
      auto* v = static_cast<procinfo_version*>(arg);
      *v = procinfo_version{};
      v->major = 1;
      v->minor = 0;
      return 0;
    }
    errno = ENOTTY;
    return -1;
  }
  if (request == PROCINFO_IOC_VERSION) {
    auto* v = static_cast<procinfo_version*>(arg);
    *v = procinfo_version{};
    v->major = driver->major;
    v->minor = driver->minor;
    v->record_size = driver->record_size;
    v->req_size = PROCINFO_SNAPSHOT_REQ_SIZE_VER0;
    v->features = PROCINFO_FEAT_CONTAINERS_VIEW | PROCINFO_FEAT_RETRY;
    if (driver->identity_feature) v->features |= PROCINFO_FEAT_CONTAINER_ID;
    if (driver->no_cmdline_feature) v->features |= PROCINFO_FEAT_NO_CMDLINE;
    v->user_hz = 100;
    v->page_size = 4096;
    return 0;
  }
  if (request == PROCINFO_IOC_SNAPSHOT) return driver->snapshot(static_cast<procinfo_snapshot_req*>(arg));
  errno = ENOTTY;
  return -1;
}

int fake_close(int fd) {
  BOOST_TEST(fd == fake_fd);
  --driver->open_fds;
  return 0;
}

// Installs the fake driver for one test.
struct WithFake {
  FakeDriver fake;
  procinfo::detail::ScopedSysOps ops{{fake_open, fake_read, fake_ioctl, fake_close}};
  WithFake() { driver = &fake; }
  ~WithFake() { driver = nullptr; }
  procinfo::Snapshot read(procinfo::View view = procinfo::View::all) {
    return procinfo::detail::read_device("/dev/fake", view);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(device)

BOOST_FIXTURE_TEST_CASE(decodes_records, WithFake) {
  fake.count = 4;
  const auto snap = read();
  BOOST_TEST(fake.open_fds == 0);
  BOOST_TEST(snap.mem_total_kb == 4000000U);
  BOOST_TEST(*snap.user_hz == 100U);  // as the driver reports it
  BOOST_REQUIRE(snap.processes.size() == 4U);
  const auto& p = snap.processes[3];
  BOOST_TEST(p.pid == 13U);
  BOOST_TEST(p.name == "p3");
  BOOST_TEST(p.cmdline == "prog --arg 3");
  BOOST_TEST(p.vsz_kb == 300U);
  BOOST_TEST(p.rss_kb == 30U);
  BOOST_TEST(p.cpu_ticks == 3U);
  BOOST_TEST(*p.utime_ns == 3000000U);
  BOOST_TEST(*p.stime_ns == 6000000U);
  BOOST_TEST(*p.start_time_ns == 3 * 123456789ULL);
  BOOST_TEST(*p.uid == 1003U);
  BOOST_TEST(*p.gid == 2003U);
  BOOST_TEST(*p.nr_threads == 4U);
  BOOST_TEST(*p.ppid == 1U);
  const auto& k = snap.processes[1];
  BOOST_TEST(k.cmdline == "");
  BOOST_TEST(k.state == 'I');
  BOOST_TEST(*k.flags == (procinfo::ProcessFlag::kernel_thread | procinfo::ProcessFlag::no_mm));
  BOOST_TEST(snap.processes[2].name == "bad\xef\xbf\xbdname)x y123");  // 15 raw bytes, no NUL
  BOOST_TEST(fake.snapshot_calls == 1);  // 256 KiB is enough
}

BOOST_FIXTURE_TEST_CASE(decodes_container_identity, WithFake) {
  fake.count = 4;
  const auto snap = read();
  BOOST_REQUIRE(snap.processes.size() == 4U);
  const auto& c = snap.processes[3];
  BOOST_TEST(*c.cgroup == FakeDriver::cgroup(3));
  BOOST_TEST((*c.runtime == procinfo::Runtime::containerd));
  BOOST_TEST(*c.container_id == std::string(64, 'c'));
  BOOST_TEST(*c.pod_uid == "1b4e28ba-2fa1-11d2-883f-0016d3cca427");
  BOOST_TEST(*c.reasons == (procinfo::ContainerReason::cgroup | procinfo::ContainerReason::pidns));
  BOOST_TEST(*c.flags == procinfo::ProcessFlag::container);
  BOOST_TEST(*procinfo::is_container(c, procinfo::ContainerRule::cgroup));
  BOOST_TEST(!*procinfo::is_container(c, procinfo::ContainerRule::keywords));
  const auto& plain = snap.processes[0];
  BOOST_TEST(*plain.cgroup == "/system.slice/cron.service");
  BOOST_TEST((*plain.runtime == procinfo::Runtime::none));
  BOOST_TEST(*plain.container_id == "");
  BOOST_TEST(*plain.pod_uid == "");
  BOOST_TEST(*plain.reasons == procinfo::ContainerReason{});
  BOOST_TEST(!*procinfo::is_container(plain, procinfo::ContainerRule::both));
}

BOOST_FIXTURE_TEST_CASE(no_identity_without_the_feature_bit, WithFake) {
  fake.identity_feature = false;  // an ABI 2.0 driver: those bytes were reserved
  fake.count = 4;
  const auto snap = read();
  BOOST_REQUIRE(snap.processes.size() == 4U);
  for (const auto& p : snap.processes) {
    BOOST_TEST(!p.cgroup.has_value());
    BOOST_TEST(!p.runtime.has_value());
    BOOST_TEST(!p.container_id.has_value());
    BOOST_TEST(!p.pod_uid.has_value());
    BOOST_TEST(!p.reasons.has_value());
  }
  // Without reasons, only the keyword rule can be told.
  BOOST_TEST(!procinfo::is_container(snap.processes[3], procinfo::ContainerRule::cgroup));
  BOOST_TEST(*procinfo::is_container(snap.processes[3], procinfo::ContainerRule::keywords));
}

BOOST_FIXTURE_TEST_CASE(steps_by_a_larger_record_size, WithFake) {
  fake.record_size = PROCINFO_RECORD_SIZE_VER0 + 40;
  fake.count = 5;
  const auto snap = read();
  BOOST_REQUIRE(snap.processes.size() == 5U);
  for (std::uint32_t i = 0; i < 5; ++i) BOOST_TEST(snap.processes[i].pid == 10 + i);
  BOOST_TEST(snap.processes[4].cmdline == "prog --arg 4");
}

BOOST_FIXTURE_TEST_CASE(enospc_grows_and_retries_the_pending_snapshot, WithFake) {
  fake.count = 3000;  // about 450 KB: more than the first buffer
  fake.grow = 500;    // a new walk would be bigger still
  const auto snap = read(procinfo::View::containers);
  BOOST_TEST(snap.processes.size() == 3000U);
  BOOST_TEST(fake.walks == 1);  // the retry got the pending snapshot: no rewalk
  BOOST_REQUIRE(fake.flags_seen.size() == 2U);
  BOOST_TEST(fake.flags_seen[0] == PROCINFO_SNAP_CONTAINERS);
  BOOST_TEST(fake.flags_seen[1] == (PROCINFO_SNAP_CONTAINERS | PROCINFO_SNAP_RETRY));
}

BOOST_FIXTURE_TEST_CASE(loops_while_a_new_walk_is_still_short, WithFake) {
  fake.count = 3000;
  fake.grow = 2000;
  fake.honour_retry = false;  // every call walks again and grows
  const auto snap = read();
  BOOST_TEST(fake.walks >= 3);
  BOOST_TEST(snap.processes.size() == 3000U + 2000U * static_cast<std::uint32_t>(fake.walks - 1));
}

BOOST_FIXTURE_TEST_CASE(eintr_is_retried, WithFake) {
  fake.eintr_opens = 2;
  fake.eintr_ioctls = 3;
  BOOST_TEST(read().processes.size() == 3U);
  BOOST_TEST(fake.open_fds == 0);
}

BOOST_FIXTURE_TEST_CASE(refuses_another_abi_major, WithFake) {
  fake.major = PROCINFO_ABI_MAJOR + 1;
  fake.minor = 0;
  try {
    read();
    BOOST_FAIL("no AbiMismatch");
  } catch (const procinfo::AbiMismatch& e) {
    const std::string what = e.what();
    const std::string expected = "driver ABI " + std::to_string(PROCINFO_ABI_MAJOR + 1) +
                                 ".0, this libprocinfo speaks " +
                                 std::to_string(PROCINFO_ABI_MAJOR) +
                                 ".x — update libprocinfo or the procinfo-dkms package";
    BOOST_TEST(what.find(expected) != std::string::npos, what);
  }
  BOOST_TEST(fake.snapshot_calls == 0);  // the version is checked first
  BOOST_TEST(fake.open_fds == 0);        // the fd is closed on the error path
}

// A driver from before ABI 2.0 does not answer the new ioctl numbers; the
// reader says it is old instead of "not a procinfo device".
BOOST_FIXTURE_TEST_CASE(names_a_driver_older_than_abi_2, WithFake) {
  fake.abi1_driver = true;
  try {
    read();
    BOOST_FAIL("no AbiMismatch");
  } catch (const procinfo::AbiMismatch& e) {
    const std::string what = e.what();
    BOOST_TEST(what.find("driver ABI 1.0 (ioctl magic 0xB8), this libprocinfo speaks 2.x — "
                         "update the procinfo-dkms package") != std::string::npos,
               what);
  }
  BOOST_TEST(fake.snapshot_calls == 0);
  BOOST_TEST(fake.open_fds == 0);
}

BOOST_AUTO_TEST_CASE(ioctl_numbers_are_fixed) {
  // The snapshot number encodes the 1.0 request size whatever the struct
  // grows to, and neither number uses the magic mainline gave to mshv.
  BOOST_TEST(_IOC_SIZE(PROCINFO_IOC_SNAPSHOT) == PROCINFO_SNAPSHOT_REQ_SIZE_VER0);
  BOOST_TEST(_IOC_TYPE(PROCINFO_IOC_SNAPSHOT) == 0xD7U);
  BOOST_TEST(_IOC_TYPE(PROCINFO_IOC_VERSION) == 0xD7U);
  BOOST_TEST(_IOC_DIR(PROCINFO_IOC_SNAPSHOT) == unsigned(_IOC_READ | _IOC_WRITE));
  BOOST_TEST(_IOC_TYPE(PROCINFO_IOC_VERSION_V1) == 0xB8U);
}

BOOST_FIXTURE_TEST_CASE(accepts_another_minor, WithFake) {
  fake.minor = 42;
  BOOST_TEST(read().processes.size() == 3U);
}

BOOST_FIXTURE_TEST_CASE(reader_keeps_the_device_open_and_its_buffer, WithFake) {
  fake.count = 3000;  // more than a first buffer holds
  {
    procinfo::SnapshotReader reader(procinfo::SourceSpec::parse("device:/dev/fake"));
    BOOST_TEST(reader.read().processes.size() == 3000U);
    BOOST_TEST(fake.snapshot_calls == 2);  // ENOSPC, then the retry
    BOOST_TEST(reader.read().processes.size() == 3000U);
    BOOST_TEST(fake.snapshot_calls == 3);  // the buffer kept its size
    BOOST_TEST(fake.walks == 2);
    BOOST_TEST(fake.opens == 1);
    BOOST_TEST(fake.open_fds == 1);
  }
  BOOST_TEST(fake.open_fds == 0);
}

BOOST_FIXTURE_TEST_CASE(reader_without_cmdlines_asks_the_driver_not_to_read_them, WithFake) {
  fake.count = 4;
  procinfo::SnapshotReader reader(procinfo::SourceSpec::parse("device:/dev/fake"),
                                  {.view = procinfo::View::all, .cmdlines = false});
  const auto snap = reader.read();
  BOOST_REQUIRE(snap.processes.size() == 4U);
  BOOST_TEST(fake.flags_seen.back() == PROCINFO_SNAP_NO_CMDLINE);
  for (const auto& p : snap.processes) BOOST_TEST(p.cmdline == "");
  BOOST_TEST(*snap.processes[3].cgroup == FakeDriver::cgroup(3));  // the rest is there
}

BOOST_FIXTURE_TEST_CASE(reader_without_cmdlines_drops_those_an_older_driver_sends, WithFake) {
  fake.no_cmdline_feature = false;
  fake.count = 4;
  procinfo::SnapshotReader reader(procinfo::SourceSpec::parse("device:/dev/fake"),
                                  {.view = procinfo::View::all, .cmdlines = false});
  const auto snap = reader.read();
  BOOST_REQUIRE(snap.processes.size() == 4U);
  BOOST_TEST(fake.flags_seen.back() == 0U);  // not asked: it would refuse the flag
  for (const auto& p : snap.processes) BOOST_TEST(p.cmdline == "");
}

BOOST_FIXTURE_TEST_CASE(reader_reopens_the_device_after_a_failure, WithFake) {
  fake.count = 4;
  fake.failing_snapshots = 1;
  procinfo::SnapshotReader reader(procinfo::SourceSpec::parse("device:/dev/fake"));
  BOOST_CHECK_THROW(reader.read(), std::system_error);
  BOOST_TEST(fake.open_fds == 0);  // closed with the failure
  BOOST_TEST(reader.read().processes.size() == 4U);
  BOOST_TEST(fake.opens == 2);
}

BOOST_FIXTURE_TEST_CASE(missing_device_says_what_to_do, WithFake) {
  try {
    procinfo::detail::read_device("/dev/procinfo", procinfo::View::all);
    BOOST_FAIL("no error");
  } catch (const std::system_error& e) {
    BOOST_TEST(e.code().value() == ENOENT);
    BOOST_TEST(std::string(e.what()).find(
                   "/dev/procinfo not found — is sysinfo.ko loaded? try: sudo modprobe sysinfo") ==
               0U);
  }
}

BOOST_AUTO_TEST_CASE(record_pointing_outside_the_strings_is_rejected) {
  procinfo_record rec{};
  rec.pid = 5;
  rec.cmdline_offset = 10;
  rec.cmdline_len = 8;
  BOOST_CHECK_THROW(procinfo::detail::decode_record(rec, "0123456789abc", "/dev/x"),
                    procinfo::ParseError);
  rec.cmdline_len = 3;
  BOOST_TEST(procinfo::detail::decode_record(rec, "0123456789abc", "/dev/x").cmdline == "abc");
}

BOOST_AUTO_TEST_CASE(identity_strings_outside_the_area_or_too_long_are_rejected) {
  const std::string strings(200, 'f');
  procinfo_record rec{};
  rec.pid = 5;
  rec.cgroup_offset = 190;
  rec.cgroup_len = 11;  // one byte past the end
  BOOST_CHECK_THROW(procinfo::detail::decode_record(rec, strings, "/dev/x", true),
                    procinfo::ParseError);
  rec.cgroup_len = 10;
  BOOST_TEST(*procinfo::detail::decode_record(rec, strings, "/dev/x", true).cgroup ==
             std::string(10, 'f'));
  rec.container_id_len = 65;  // longer than any id the driver keeps
  BOOST_CHECK_THROW(procinfo::detail::decode_record(rec, strings, "/dev/x", true),
                    procinfo::ParseError);
  rec.container_id_len = 0;
  rec.pod_uid_len = 37;
  BOOST_CHECK_THROW(procinfo::detail::decode_record(rec, strings, "/dev/x", true),
                    procinfo::ParseError);
}

BOOST_AUTO_TEST_SUITE_END()
