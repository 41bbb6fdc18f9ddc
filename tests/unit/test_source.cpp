// SPDX-License-Identifier: GPL-2.0 OR MIT
// read_snapshot() around the readers: live or saved sources,
// unavailable driver sources, views of saved data, states, messages.
#include <procinfo/error.hpp>
#include <procinfo/source.hpp>

#include "helpers.hpp"
#include "internal.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using procinfo::SourceSpec;
using procinfo::View;
using procinfo::test::full_process;
using procinfo::test::snapshot_of;
using procinfo::test::TempDir;

namespace {

procinfo::Snapshot mixed() {
  auto s = snapshot_of({full_process(1, "init", "/sbin/init"),
                        full_process(20, "runc", "runc run box"),
                        full_process(30, "sh", "/bin/busybox sh"),
                        full_process(40, "bash", "bash")},
                       "procfs");
  s.processes[1].flags = procinfo::ProcessFlag::container;
  s.processes[2].flags.reset();  // no flags: the rule on the command line decides
  s.taken_at_boot = std::chrono::seconds(1234);
  s.user_hz = 250;  // another system's rate
  return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(source)

BOOST_AUTO_TEST_CASE(live_and_saved_sources) {
  TempDir dir;
  BOOST_TEST(SourceSpec::parse("device").is_live());
  BOOST_TEST(SourceSpec::parse("json").is_live());  // under /proc, loaded or not
  BOOST_TEST(SourceSpec::parse("json").is_live(View::containers));
  BOOST_TEST(SourceSpec::parse("procfs").is_live());
  BOOST_TEST(SourceSpec::parse("procfs:/proc").is_live());
  BOOST_TEST(!SourceSpec::parse("file:/proc/x").is_live());
  BOOST_TEST(!SourceSpec::parse("json:" + dir.str() + "/copy.json").is_live());
  BOOST_TEST(!SourceSpec::parse("procfs:" + dir.str()).is_live());
}

BOOST_AUTO_TEST_CASE(a_missing_driver_source_is_unavailable) {
  // Defect 6: "module not loaded" is told apart from a source that cannot be read.
  BOOST_CHECK_THROW(procinfo::read_snapshot(SourceSpec::parse("device:/dev/procinfo-nonexistent")),
                    procinfo::SourceUnavailable);
  BOOST_CHECK_THROW(
      procinfo::read_snapshot(SourceSpec::parse("json:/proc/procinfo-nonexistent-file")),
      procinfo::SourceUnavailable);
  TempDir dir;
  try {
    procinfo::read_snapshot(SourceSpec::parse("file:" + dir.str() + "/missing.snap"));
    BOOST_FAIL("no error");
  } catch (const procinfo::SourceUnavailable&) {
    BOOST_FAIL("a missing file is not an unavailable module");
  } catch (const std::system_error& e) {
    BOOST_TEST(e.code().value() == ENOENT);
  }
}

BOOST_AUTO_TEST_CASE(messages_do_not_repeat_themselves) {
  // Defect 12: no ": No such file or directory" after "not found — ... modprobe sysinfo".
  const auto e = procinfo::detail::open_error(ENOENT, "/dev/procinfo");
  const std::string what = e.what();
  BOOST_TEST(what == "/dev/procinfo not found — is sysinfo.ko loaded? try: sudo modprobe sysinfo");
  BOOST_TEST(e.code().value() == ENOENT);
  const std::string other = procinfo::detail::open_error(EIO, "/x").what();
  BOOST_TEST(other == "cannot read /x: Input/output error");
}

BOOST_AUTO_TEST_CASE(saved_data_of_all_read_as_containers_is_narrowed) {
  // Defect 7: the view of a file: snapshot is not ignored.
  TempDir dir;
  const std::string path = dir.str() + "/all.snap";
  procinfo::save_snapshot(mixed(), path);
  const auto all = procinfo::read_snapshot(SourceSpec::parse("file:" + path), View::all);
  BOOST_TEST(all.processes.size() == 4U);
  const auto c = procinfo::read_snapshot(SourceSpec::parse("file:" + path), View::containers);
  BOOST_TEST((c.view == View::containers));
  BOOST_REQUIRE(c.processes.size() == 2U);
  BOOST_TEST(c.processes[0].pid == 20U);  // by its flag
  BOOST_TEST(c.processes[1].pid == 30U);  // by the rule
  BOOST_TEST(c.taken_at_boot.has_value());
  BOOST_TEST(c.taken_at_boot->count() == 1234000000000LL);
  BOOST_TEST(*c.user_hz == 250U);  // the file's, not this system's

  // The containers view reads back as it is, and cannot be read as every
  // process.
  const std::string cpath = dir.str() + "/c.snap";
  procinfo::save_snapshot(c, cpath);
  const auto again = procinfo::read_snapshot(SourceSpec::parse("file:" + cpath), View::containers);
  BOOST_TEST((again.view == View::containers));
  BOOST_TEST(again.processes == c.processes);
  try {
    procinfo::read_snapshot(SourceSpec::parse("file:" + cpath), View::all);
    BOOST_FAIL("no error");
  } catch (const std::invalid_argument& e) {
    BOOST_TEST(std::string(e.what()).find("containers view only") != std::string::npos);
    BOOST_TEST(std::string(e.what()).find("--containers") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(a_bad_state_in_a_file_is_an_error) {
  // Defect 9: a '"' state in a file printed "state": """ with --json.
  auto s = mixed();
  s.processes[0].state = '"';
  const std::string bytes = procinfo::encode_snapshot(s);
  try {
    procinfo::detail::decode_file(bytes, "x.snap");
    BOOST_FAIL("no error");
  } catch (const procinfo::ParseError& e) {
    BOOST_TEST(e.offset() == 96U + 96U);  // the state byte of the first record
    BOOST_TEST(std::string(e.what()).find("a state among R S D T t X Z P I") != std::string::npos);
  }
  TempDir dir;
  procinfo::test::write_file(dir.path() / "bad.snap", bytes);
  BOOST_CHECK_THROW(procinfo::read_snapshot(SourceSpec::parse("file:" + dir.str() + "/bad.snap")),
                    procinfo::ParseError);
}

BOOST_AUTO_TEST_SUITE_END()
