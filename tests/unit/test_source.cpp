// SPDX-License-Identifier: GPL-2.0 OR MIT
// read_snapshot() around the readers (issue 10): live or saved sources,
// unavailable driver sources, views of saved data, states, messages.
#include <procinfo/error.hpp>
#include <procinfo/source.hpp>
#include <procinfo/text.hpp>

#include "helpers.hpp"
#include "internal.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using procinfo::SourceSpec;
using procinfo::View;
using procinfo::test::TempDir;


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
                    procinfo::source_unavailable);
  BOOST_CHECK_THROW(
      procinfo::read_snapshot(SourceSpec::parse("json:/proc/procinfo-nonexistent-file")),
      procinfo::source_unavailable);
  TempDir dir;
  try {
    procinfo::read_snapshot(SourceSpec::parse("file:" + dir.str() + "/missing.snap"));
    BOOST_FAIL("no error");
  } catch (const procinfo::source_unavailable&) {
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

BOOST_AUTO_TEST_SUITE_END()
