// SPDX-License-Identifier: GPL-2.0 OR MIT
// Unit tests of procinfo-top's model: CPU% between snapshots, the rows of a
// view (sorted, filtered, containers, grouped) and the lines of a frame.
#define BOOST_TEST_MODULE procinfo_top_model
#include <boost/test/unit_test.hpp>

#include "../../tools/common/terminal.hpp"
#include "../../tools/procinfo-top/model.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
using procinfo::Process;
using procinfo::Snapshot;

constexpr std::uint64_t s_ns = 1000000000;

Process proc(std::uint32_t pid, std::string name, std::uint64_t cpu_ns, std::uint64_t start_ns,
             std::uint64_t rss_kb = 100) {
  Process p;
  p.pid = pid;
  p.name = std::move(name);
  p.cmdline = "/bin/" + p.name + " --flag";
  p.state = 'S';
  p.uid = 0;
  p.nr_threads = 1;
  p.utime_ns = cpu_ns;
  p.stime_ns = 0;
  p.start_time_ns = start_ns;
  p.rss_kb = rss_kb;
  p.vsz_kb = 2 * rss_kb;
  p.flags = procinfo::ProcessFlag{};
  p.container_id = "";
  p.runtime = procinfo::Runtime::none;
  return p;
}

Process in_container(Process p, std::string id) {
  p.container_id = std::move(id);
  p.runtime = procinfo::Runtime::docker;
  p.flags = procinfo::ProcessFlag::container;
  return p;
}

Snapshot snapshot(std::chrono::nanoseconds at, std::vector<Process> ps) {
  Snapshot s;
  s.source = "procfs";
  s.mem_total_kb = 1000000;
  s.mem_free_kb = 400000;
  s.taken_at = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(at));
  s.taken_at_boot = at;
  s.user_hz = 100;
  s.processes = std::move(ps);
  return s;
}

std::vector<std::uint32_t> pids(const std::vector<top::Row>& rows) {
  std::vector<std::uint32_t> out;
  for (const auto& r : rows) out.push_back(r.pid);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cpu)

BOOST_AUTO_TEST_CASE(over_the_interval_per_cpu) {
  const Snapshot a = snapshot(10s, {proc(1, "busy", 2 * s_ns, 0), proc(2, "idle", s_ns, 0),
                                    proc(3, "threads", 0, 0)});
  const Snapshot b = snapshot(12s, {proc(1, "busy", 4 * s_ns, 0), proc(2, "idle", s_ns, 0),
                                    proc(3, "threads", 3 * s_ns, 0)});
  const auto cpu = top::cpu_percent(&a, b);
  BOOST_REQUIRE_EQUAL(cpu.size(), 3U);
  BOOST_TEST(*cpu[0] == 100.0, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(*cpu[1] == 0.0);
  BOOST_TEST(*cpu[2] == 150.0, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(new_and_reused_pids_over_their_life) {
  const Snapshot a = snapshot(10s, {proc(5, "old", 9 * s_ns, 1 * s_ns)});
  // pid 5 is another process now (started at 8 s), pid 6 is new.
  const Snapshot b = snapshot(12s, {proc(5, "new", 1 * s_ns, 8 * s_ns), proc(6, "newer", s_ns / 2, 11 * s_ns)});
  const auto cpu = top::cpu_percent(&a, b);
  BOOST_TEST(*cpu[0] == 25.0, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(*cpu[1] == 50.0, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(first_frame_and_unknown) {
  Process no_start = proc(7, "json", s_ns, 0);
  no_start.start_time_ns.reset();
  const Snapshot b = snapshot(4s, {proc(1, "half", 2 * s_ns, 0), no_start});
  const auto cpu = top::cpu_percent(nullptr, b);
  BOOST_TEST(*cpu[0] == 50.0, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(!cpu[1].has_value());
}

BOOST_AUTO_TEST_CASE(clock_ticks_without_nanoseconds) {
  Process p = proc(1, "ticks", 0, 0);
  p.utime_ns.reset();
  p.stime_ns.reset();
  p.cpu_ticks = 100;
  Snapshot a = snapshot(10s, {p});
  p.cpu_ticks = 150;
  Snapshot b = snapshot(11s, {p});
  const auto cpu = top::cpu_percent(&a, b);
  BOOST_TEST(*cpu[0] == 50.0, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(same_snapshot_twice_counts_over_life) {
  // A file: source gives the same snapshot each read: no interval.
  const Snapshot a = snapshot(10s, {proc(1, "p", 5 * s_ns, 0)});
  const auto cpu = top::cpu_percent(&a, a);
  BOOST_TEST(*cpu[0] == 50.0, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(rows)

struct Fixture {
  Snapshot s = snapshot(10s, {proc(1, "init", 1 * s_ns, 0, 50),
                              in_container(proc(2, "nginx", 4 * s_ns, 0, 300), std::string(64, 'a')),
                              in_container(proc(3, "worker", 2 * s_ns, 0, 100), std::string(64, 'a')),
                              in_container(proc(4, "app", 3 * s_ns, 0, 200), std::string(64, 'b'))});
  std::vector<std::optional<double>> cpu = top::cpu_percent(nullptr, s);
  top::Settings settings;
};

BOOST_FIXTURE_TEST_CASE(sorted_by_each_key, Fixture) {
  auto& v = settings.view;
  const auto rows = [&] { return pids(top::build_rows(s, cpu, v, settings.users)); };
  v.sort = top::Column::cpu;
  BOOST_TEST(rows() == (std::vector<std::uint32_t>{2, 4, 3, 1}), boost::test_tools::per_element());
  v.sort = top::Column::mem;
  BOOST_TEST(rows() == (std::vector<std::uint32_t>{2, 4, 3, 1}), boost::test_tools::per_element());
  v.sort = top::Column::pid;
  BOOST_TEST(rows() == (std::vector<std::uint32_t>{1, 2, 3, 4}), boost::test_tools::per_element());
  v.reverse = true;
  BOOST_TEST(rows() == (std::vector<std::uint32_t>{4, 3, 2, 1}), boost::test_tools::per_element());
  v.reverse = false;
  v.sort = top::Column::command;
  BOOST_TEST(rows() == (std::vector<std::uint32_t>{4, 1, 2, 3}), boost::test_tools::per_element());
  v.sort = top::Column::container;  // "" first, then by id; ties by pid
  BOOST_TEST(rows() == (std::vector<std::uint32_t>{1, 2, 3, 4}), boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(filter_and_containers, Fixture) {
  settings.set_filter(tools::Regex("^(nginx|init)$", "filter"));
  settings.view.sort = top::Column::pid;
  BOOST_TEST(pids(top::build_rows(s, cpu, settings.view, settings.users)) ==
                 (std::vector<std::uint32_t>{1, 2}),
             boost::test_tools::per_element());
  settings.set_filter(tools::Regex("--flag", "filter"));  // the command line
  BOOST_TEST(top::build_rows(s, cpu, settings.view, settings.users).size() == 4U);
  settings.set_filter(std::nullopt);
  settings.view.containers_only = true;
  BOOST_TEST(pids(top::build_rows(s, cpu, settings.view, settings.users)) ==
                 (std::vector<std::uint32_t>{2, 3, 4}),
             boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(grouped_sums_and_expands, Fixture) {
  settings.view.grouped = true;
  settings.view.sort = top::Column::rss;
  auto rows = top::build_rows(s, cpu, settings.view, settings.users);
  BOOST_REQUIRE_EQUAL(rows.size(), 2U);
  BOOST_TEST(rows[0].is_group);
  BOOST_TEST(rows[0].processes == 2U);
  BOOST_TEST(rows[0].rss_kb == 400U);
  BOOST_TEST(*rows[0].cpu_pct == 60.0, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(rows[0].container == "docker:aaaaaaaaaaaa");
  BOOST_TEST(rows[1].rss_kb == 200U);
  settings.view.expanded.insert(rows[0].group_key);
  rows = top::build_rows(s, cpu, settings.view, settings.users);
  BOOST_REQUIRE_EQUAL(rows.size(), 4U);
  BOOST_TEST(rows[0].expanded);
  BOOST_TEST((rows[1].member && rows[1].pid == 2));
  BOOST_TEST((rows[2].member && rows[2].pid == 3));
  BOOST_TEST(rows[3].is_group);
}

BOOST_FIXTURE_TEST_CASE(lines_fit_the_width, Fixture) {
  s.processes[0].name = "\u65e5\u672c\u8a9e\u306e\u540d\u524d";  // CJK, two columns each
  s.processes[0].cmdline = std::string(200, 'x');
  const auto rows = top::build_rows(s, cpu, settings.view, settings.users);
  for (const std::size_t width : {80U, 81U, 100U, 120U}) {
    for (const bool full : {false, true}) {
      settings.view.full_command = full;
      const auto layout = top::layout_for(width, rows, 0, rows.size());
      BOOST_TEST(tools::display_width(top::table_header(layout)) <= width);
      for (const auto& r : rows)
        BOOST_TEST(tools::display_width(top::table_line(r, layout, settings.view)) <= width);
    }
  }
  // Not cut: the command line whole.
  const auto layout = top::layout_for(0, rows, 0, rows.size());
  settings.view.full_command = true;
  bool whole = false;
  for (const auto& r : rows)
    whole = whole || top::table_line(r, layout, settings.view).ends_with(std::string(200, 'x'));
  BOOST_TEST(whole);
}

BOOST_FIXTURE_TEST_CASE(header_counts, Fixture) {
  s.processes[1].state = 'R';
  s.processes[2].state = 'Z';
  const top::HeaderInfo info{.source = "procfs", .interval_s = 2, .view = &settings.view};
  const auto lines = top::header_lines(s, top::summarize(s), info, 0);
  BOOST_REQUIRE_EQUAL(lines.size(), 3U);
  BOOST_TEST(lines[1] == "Processes: 4 total, 1 running, 2 sleeping, 1 zombie; threads: 4");
  BOOST_TEST(lines[2].starts_with(
      "Mem: 977M total, 391M free, 586M used; containers: 2 (3 processes); sort cpu"));
}

BOOST_AUTO_TEST_CASE(time_plus) {
  BOOST_TEST(top::format_time_plus(62340ms) == "1:02.34");
  BOOST_TEST(top::format_time_plus(0ms) == "0:00.00");
  BOOST_TEST(top::format_time_plus(std::chrono::hours(2)) == "120:00.00");
}

BOOST_AUTO_TEST_SUITE_END()
