// SPDX-License-Identifier: GPL-2.0 OR MIT
// The procfs source on a fixture tree: awkward comms, kernel threads,
// zombies, capped command lines, invalid UTF-8, vanished processes.
#include <procinfo/error.hpp>
#include <procinfo/source.hpp>

#include "helpers.hpp"
#include "internal.hpp"
#include "text.hpp"

#include <boost/test/unit_test.hpp>

#include <fmt/format.h>

using namespace std::string_literals;
using procinfo::test::write_file;

namespace {

const std::uint64_t page_kb = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE)) / 1024;
const std::uint64_t ns_per_tick = 1000000000ULL / static_cast<std::uint64_t>(::sysconf(_SC_CLK_TCK));

struct Proc {
  std::uint32_t pid;
  std::string comm = "";
  char state = 'S';
  std::uint32_t ppid = 1;
  std::uint64_t flags = 0x400100;
  std::uint64_t utime = 0;
  std::uint64_t stime = 0;
  std::uint32_t threads = 1;
  std::uint64_t start = 0;
  std::uint64_t size_pages = 0;
  std::uint64_t resident_pages = 0;
  std::string cmdline = "";
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::string cgroup = "0::/\n";  // the whole cgroup file
  std::string pid_ns = "";        // ns/pid link target; "": no link
  std::string nspid = "";         // NSpid line of status; "": none
};

constexpr std::string_view reader_ns = "pid:[4026531836]";

struct Fixture {
  procinfo::test::TempDir dir;

  Fixture() {
    write_file(dir.path() / "meminfo",
               "MemTotal:        4000000 kB\nMemFree:         1000000 kB\nMemAvailable:    2000000 kB\n");
    write_file(dir.path() / "self" / "stat", "not a pid");
    std::filesystem::create_directories(dir.path() / "self" / "ns");
    std::filesystem::create_symlink(reader_ns, dir.path() / "self" / "ns" / "pid");
    write_file(dir.path() / "sys" / "x", "");
  }

  void add(const Proc& p) {
    const auto d = dir.path() / std::to_string(p.pid);
    write_file(d / "stat",
               fmt::format("{} ({}) {} {} {} {} 0 -1 {} 10 0 0 0 {} {} 0 0 20 0 {} 0 {} {} {} "
                           "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n",
                           p.pid, p.comm, p.state, p.ppid, p.pid, p.pid, p.flags, p.utime, p.stime,
                           p.threads, p.start, p.size_pages * page_kb * 1024, p.resident_pages));
    write_file(d / "statm", fmt::format("{} {} 0 0 0 0 0\n", p.size_pages, p.resident_pages));
    write_file(d / "cmdline", p.cmdline);
    write_file(d / "status",
               fmt::format("Name:\t{}\nUmask:\t0022\nState:\t{}\nTgid:\t{}\nPid:\t{}\nPPid:\t{}\n"
                           "Uid:\t{}\t{}\t{}\t{}\nGid:\t{}\t{}\t{}\t{}\n",
                           p.comm, p.state, p.pid, p.pid, p.ppid, p.uid, p.uid + 1, p.uid, p.uid,
                           p.gid, p.gid + 1, p.gid, p.gid) +
                   (p.nspid.empty() ? "" : "NSpid:\t" + p.nspid + "\n"));
    write_file(d / "cgroup", p.cgroup);
    if (!p.pid_ns.empty()) {
      std::filesystem::create_directories(d / "ns");
      std::filesystem::create_symlink(p.pid_ns, d / "ns" / "pid");
    }
  }

  procinfo::Snapshot read(procinfo::View view = procinfo::View::all) {
    return procinfo::read_snapshot(procinfo::SourceSpec::parse("procfs:" + dir.str()), view);
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(procfs)

BOOST_FIXTURE_TEST_CASE(reads_every_field, Fixture) {
  add({.pid = 1, .comm = "systemd", .ppid = 0, .utime = 70, .stime = 33, .threads = 1, .start = 5,
       .size_pages = 5821, .resident_pages = 3569, .cmdline = "/sbin/init\0splash\0"s, .uid = 0,
       .gid = 0});
  const auto snap = read();
  BOOST_TEST(snap.source == "procfs:" + dir.str());
  BOOST_TEST(snap.mem_total_kb == 4000000U);
  BOOST_TEST(*snap.user_hz == static_cast<std::uint32_t>(::sysconf(_SC_CLK_TCK)));
  BOOST_TEST(snap.mem_free_kb == 1000000U);
  BOOST_REQUIRE(snap.processes.size() == 1U);
  const auto& p = snap.processes[0];
  BOOST_TEST(p.pid == 1U);
  BOOST_TEST(p.name == "systemd");
  BOOST_TEST(p.cmdline == "/sbin/init splash");
  BOOST_TEST(p.vsz_kb == 5821 * page_kb);
  BOOST_TEST(p.rss_kb == 3569 * page_kb);
  BOOST_TEST(p.mem_pct_x100 == 3569 * page_kb * 10000 / 4000000);
  BOOST_TEST(p.cpu_ticks == 103U);
  BOOST_TEST(p.state == 'S');
  BOOST_TEST(*p.ppid == 0U);
  BOOST_TEST(*p.nr_threads == 1U);
  BOOST_TEST(*p.start_time_ns == 5 * ns_per_tick);
  BOOST_TEST(!p.utime_ns.has_value());  // stat has ticks, not nanoseconds
  BOOST_TEST(!p.stime_ns.has_value());
  BOOST_TEST(*p.uid == 0U);
  BOOST_TEST(*p.flags == procinfo::ProcessFlag{});
}

BOOST_FIXTURE_TEST_CASE(comm_with_parens_and_spaces, Fixture) {
  add({.pid = 42, .comm = "a) b (c) )", .state = 'R', .utime = 1, .stime = 2, .threads = 7,
       .size_pages = 10, .resident_pages = 5, .cmdline = "x\0"s, .uid = 1000, .gid = 100});
  const auto snap = read();
  BOOST_REQUIRE(snap.processes.size() == 1U);
  const auto& p = snap.processes[0];
  BOOST_TEST(p.name == "a) b (c) )");
  BOOST_TEST(p.state == 'R');
  BOOST_TEST(*p.nr_threads == 7U);
  BOOST_TEST(*p.uid == 1000U);  // the real uid, first of four
  BOOST_TEST(*p.gid == 100U);
  BOOST_TEST(p.cpu_ticks == 3U);
}

BOOST_FIXTURE_TEST_CASE(kernel_thread_and_zombie, Fixture) {
  add({.pid = 2, .comm = "kthreadd", .ppid = 0, .flags = 0x208040, .stime = 9});
  add({.pid = 77, .comm = "kworker/0:1-events", .state = 'I', .ppid = 2, .flags = 0x4208060});
  add({.pid = 78, .comm = "a_very_long_kernel_thread_name", .state = 'S', .ppid = 2,
       .flags = 0x208040});
  add({.pid = 300, .comm = "defunct", .state = 'Z', .ppid = 1, .utime = 4, .stime = 4});
  const auto snap = read();
  BOOST_REQUIRE(snap.processes.size() == 4U);
  const auto& k = snap.processes[0];
  BOOST_TEST(k.cmdline == "");
  BOOST_TEST(k.vsz_kb == 0U);
  BOOST_TEST(k.rss_kb == 0U);
  BOOST_TEST(k.mem_pct_x100 == 0U);
  BOOST_TEST(*k.flags == (procinfo::ProcessFlag::kernel_thread | procinfo::ProcessFlag::no_mm));
  BOOST_TEST(snap.processes[1].name == "kworker/0:1");      // the raw comm, as the driver
  BOOST_TEST(snap.processes[2].name == "a_very_long_ker");  // 15 bytes, as TASK_COMM_LEN
  const auto& z = snap.processes[3];
  BOOST_TEST(z.state == 'Z');
  BOOST_TEST(z.cmdline == "");
  BOOST_TEST(*z.flags == procinfo::ProcessFlag::no_mm);
  BOOST_TEST(z.cpu_ticks == 8U);
}

BOOST_FIXTURE_TEST_CASE(long_cmdline_is_capped, Fixture) {
  std::string raw;
  while (raw.size() < 60000) raw += "argument\0"s;
  add({.pid = 5, .comm = "long", .size_pages = 1, .resident_pages = 1, .cmdline = raw});
  add({.pid = 6, .comm = "exact", .size_pages = 1, .resident_pages = 1,
       .cmdline = std::string(4095, 'e') + "\0"s});
  const auto snap = read();
  BOOST_REQUIRE(snap.processes.size() == 2U);
  BOOST_TEST(snap.processes[0].cmdline.size() <= 4096U);
  BOOST_TEST(snap.processes[0].cmdline == procinfo::detail::cmdline_from_raw(raw.substr(0, 4096)));
  BOOST_TEST(*snap.processes[0].flags == procinfo::ProcessFlag::cmdline_truncated);
  BOOST_TEST(snap.processes[1].cmdline.size() == 4095U);
  BOOST_TEST(*snap.processes[1].flags == procinfo::ProcessFlag{});
}

BOOST_FIXTURE_TEST_CASE(invalid_utf8_becomes_fffd, Fixture) {
  add({.pid = 9, .comm = "n\xff", .size_pages = 1, .cmdline = "a\xc3\0b\xed\xa0\x80\0"s});
  const auto snap = read();
  BOOST_REQUIRE(snap.processes.size() == 1U);
  BOOST_TEST(snap.processes[0].name == "n\xef\xbf\xbd");
  BOOST_TEST(snap.processes[0].cmdline == "a\xef\xbf\xbd b\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  // ...and it survives JSON.
  const auto back = procinfo::detail::parse_json(procinfo::to_json(snap), "x", procinfo::View::all);
  BOOST_TEST(back.processes[0].cmdline == snap.processes[0].cmdline);
}

BOOST_FIXTURE_TEST_CASE(vanished_processes_are_skipped_and_sorted, Fixture) {
  add({.pid = 1000, .comm = "b", .size_pages = 1});
  add({.pid = 20, .comm = "a", .size_pages = 1});
  add({.pid = 300, .comm = "gone", .size_pages = 1});
  std::filesystem::remove(dir.path() / "300" / "statm");  // exited between stat and statm
  std::filesystem::create_directories(dir.path() / "400");  // exited before stat
  const auto snap = read();
  BOOST_REQUIRE(snap.processes.size() == 2U);
  BOOST_TEST(snap.processes[0].pid == 20U);
  BOOST_TEST(snap.processes[1].pid == 1000U);
}

BOOST_FIXTURE_TEST_CASE(containers_view, Fixture) {
  add({.pid = 10, .comm = "dockerd", .size_pages = 1, .cmdline = "/usr/bin/dockerd\0-H\0"s});
  add({.pid = 11, .comm = "bash", .size_pages = 1, .cmdline = "bash\0"s});
  add({.pid = 12, .comm = "sh", .size_pages = 1, .cmdline = "/bin/busybox\0sh\0"s});
  const auto snap = read(procinfo::View::containers);
  BOOST_REQUIRE(snap.processes.size() == 2U);
  BOOST_TEST(snap.processes[0].pid == 10U);
  BOOST_TEST(snap.processes[1].pid == 12U);
  BOOST_TEST(*snap.processes[1].flags == procinfo::ProcessFlag::container);
  BOOST_TEST((snap.view == procinfo::View::containers));
}

BOOST_FIXTURE_TEST_CASE(container_identity_from_the_cgroup_file, Fixture) {
  const std::string hex(64, 'a');
  // v1 lines before the v2 one, as on a hybrid system
  add({.pid = 20,
       .comm = "nginx",
       .size_pages = 1,
       .cmdline = "nginx\0"s,
       .cgroup = "12:cpu,cpuacct:/docker/" + hex + "\n0::/system.slice/docker-" + hex + ".scope\n",
       .pid_ns = std::string(reader_ns)});
  add({.pid = 21,
       .comm = "app",
       .size_pages = 1,
       .cmdline = "app\0"s,
       .cgroup = "0::/kubepods/besteffort/pod1b4e28ba-2fa1-11d2-883f-0016d3cca427/" +
                 std::string(64, 'b') + "\n"});
  add({.pid = 22,
       .comm = "bash",
       .size_pages = 1,
       .cmdline = "bash\0"s,
       .cgroup = "0::/user.slice/user-1000.slice/session-2.scope\n"});
  add({.pid = 23,
       .comm = "web",
       .size_pages = 1,
       .cmdline = "web\0"s,
       .cgroup = "0::/lxc.payload.web1\n"});
  const auto snap = read();
  BOOST_REQUIRE(snap.processes.size() == 4U);
  const auto& docker = snap.processes[0];
  BOOST_TEST(*docker.cgroup == "/system.slice/docker-" + hex + ".scope");
  BOOST_TEST((*docker.runtime == procinfo::Runtime::docker));
  BOOST_TEST(*docker.container_id == hex);
  BOOST_TEST(*docker.pod_uid == "");
  BOOST_TEST(*docker.reasons == procinfo::ContainerReason::cgroup);
  BOOST_TEST(*docker.flags == procinfo::ProcessFlag::container);
  const auto& kube = snap.processes[1];
  BOOST_TEST((*kube.runtime == procinfo::Runtime::containerd));
  BOOST_TEST(*kube.container_id == std::string(64, 'b'));
  BOOST_TEST(*kube.pod_uid == "1b4e28ba-2fa1-11d2-883f-0016d3cca427");
  const auto& plain = snap.processes[2];
  BOOST_TEST(*plain.cgroup == "/user.slice/user-1000.slice/session-2.scope");
  BOOST_TEST((*plain.runtime == procinfo::Runtime::none));
  BOOST_TEST(*plain.container_id == "");
  BOOST_TEST(*plain.reasons == procinfo::ContainerReason{});
  BOOST_TEST(*plain.flags == procinfo::ProcessFlag{});
  BOOST_TEST((*snap.processes[3].runtime == procinfo::Runtime::lxc));
  BOOST_TEST(*snap.processes[3].container_id == "web1");
  // The containers view is the union of the reasons: the plain shell is out.
  const auto view = read(procinfo::View::containers);
  BOOST_TEST(view.processes.size() == 3U);
  BOOST_TEST(!view.find(22));
}

BOOST_FIXTURE_TEST_CASE(pid_namespace_and_keyword_reasons, Fixture) {
  // ns/pid differs from the reader's
  add({.pid = 30,
       .comm = "sleep",
       .size_pages = 1,
       .cmdline = "sleep\0"s,
       .pid_ns = "pid:[4026532999]"});
  // ns/pid not readable (another user's): NSpid has a second level
  add({.pid = 31, .comm = "sleep", .size_pages = 1, .cmdline = "sleep\0"s, .nspid = "31\t1"});
  // same namespace, a keyword in the command line, in a docker container
  add({.pid = 32,
       .comm = "runc",
       .size_pages = 1,
       .cmdline = "runc\0init\0"s,
       .cgroup = "0::/docker/" + std::string(64, 'd') + "\n",
       .pid_ns = std::string(reader_ns),
       .nspid = "32"});
  // a keyword in a kernel thread's name is no command line
  add({.pid = 33, .comm = "docker_wq", .flags = 0x208040});
  const auto snap = read();
  BOOST_REQUIRE(snap.processes.size() == 4U);
  BOOST_TEST(*snap.processes[0].reasons == procinfo::ContainerReason::pidns);
  BOOST_TEST(*snap.processes[0].flags == procinfo::ProcessFlag::container);
  BOOST_TEST(*snap.processes[1].reasons == procinfo::ContainerReason::pidns);
  BOOST_TEST(*snap.processes[2].reasons ==
             (procinfo::ContainerReason::keyword | procinfo::ContainerReason::cgroup));
  BOOST_TEST(*snap.processes[3].reasons == procinfo::ContainerReason{});
  const auto names = procinfo::reason_names(*snap.processes[2].reasons);
  BOOST_TEST((names == std::vector<std::string_view>{"keyword", "cgroup"}));
}

BOOST_FIXTURE_TEST_CASE(long_cgroup_paths_are_cut_like_the_driver, Fixture) {
  // 1 + 600 + 1 + 600 bytes before the container's scope: past 1024 bytes
  const std::string first = "/" + std::string(600, 'x');
  const std::string path =
      first + "/" + std::string(600, 'y') + "/docker-" + std::string(64, 'e') + ".scope";
  add({.pid = 40,
       .comm = "deep",
       .size_pages = 1,
       .cmdline = "deep\0"s,
       .cgroup = "0::" + path + "\n"});
  // a removed cgroup (a zombie's) is marked by /proc, not by the driver
  add({.pid = 41,
       .comm = "gone",
       .state = 'Z',
       .cgroup = "0::/system.slice/crio-" + std::string(64, 'f') + ".scope (deleted)\n"});
  // no v2 line at all: no identity from the path
  add({.pid = 42,
       .comm = "v1",
       .size_pages = 1,
       .cmdline = "v1\0"s,
       .cgroup = "3:memory:/docker/" + std::string(64, 'a') + "\n"});
  const auto snap = read();
  BOOST_REQUIRE(snap.processes.size() == 3U);
  const auto& deep = snap.processes[0];
  BOOST_TEST(*deep.cgroup == first);
  BOOST_TEST(*deep.flags == procinfo::ProcessFlag::cgroup_cut);
  BOOST_TEST((*deep.runtime == procinfo::Runtime::none));
  BOOST_TEST(*snap.processes[1].cgroup == "/system.slice/crio-" + std::string(64, 'f') + ".scope");
  BOOST_TEST((*snap.processes[1].runtime == procinfo::Runtime::crio));
  BOOST_TEST(!snap.processes[2].cgroup.has_value());
  BOOST_TEST(!snap.processes[2].runtime.has_value());
  BOOST_TEST(*snap.processes[2].reasons == procinfo::ContainerReason{});
}

BOOST_FIXTURE_TEST_CASE(malformed_stat_is_a_parse_error, Fixture) {
  write_file(dir.path() / "7" / "stat", "7 (x S 1 2\n");
  BOOST_CHECK_THROW(read(), procinfo::ParseError);
}

BOOST_AUTO_TEST_CASE(missing_root) {
  BOOST_CHECK_THROW(procinfo::detail::read_procfs("/nonexistent-proc-root", procinfo::View::all),
                    std::system_error);
}

BOOST_AUTO_TEST_CASE(live_proc_has_this_process) {
  const auto snap = procinfo::read_snapshot(procinfo::SourceSpec::parse("procfs"));
  const auto* self = snap.find(static_cast<std::uint32_t>(::getpid()));
  BOOST_REQUIRE(self != nullptr);
  BOOST_TEST(self->state == 'R');
  BOOST_TEST(self->rss_kb > 0U);
}

BOOST_AUTO_TEST_SUITE_END()
