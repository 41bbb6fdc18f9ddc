// SPDX-License-Identifier: GPL-2.0 OR MIT
// The text rules: UTF-8 repair, command lines, container rule, JSON escapes.
#include <procinfo/model.hpp>
#include <procinfo/source.hpp>

#include "text.hpp"

#include <boost/test/unit_test.hpp>

using namespace std::string_literals;

BOOST_AUTO_TEST_SUITE(text)

BOOST_AUTO_TEST_CASE(sanitize_keeps_well_formed_utf8) {
  const std::string s = "ascii é € 𝄞";
  BOOST_TEST(procinfo::sanitize_utf8(s) == s);
}

BOOST_AUTO_TEST_CASE(sanitize_replaces_each_bad_byte) {
  const std::string fffd = "\xef\xbf\xbd";
  BOOST_TEST(procinfo::sanitize_utf8("a\xff" "b") == "a" + fffd + "b");
  BOOST_TEST(procinfo::sanitize_utf8("\xc0\xaf") == fffd + fffd);          // overlong
  BOOST_TEST(procinfo::sanitize_utf8("\xed\xa0\x80") == fffd + fffd + fffd);  // surrogate
  BOOST_TEST(procinfo::sanitize_utf8("\xf4\x90\x80\x80") == fffd + fffd + fffd + fffd);
  BOOST_TEST(procinfo::sanitize_utf8("x\xe2\x82") == "x" + fffd + fffd);  // truncated
}

BOOST_AUTO_TEST_CASE(cmdline_joins_and_trims) {
  bool truncated = true;
  BOOST_TEST(procinfo::detail::cmdline_from_raw("ls\0-l\0/tmp\0"s, &truncated) == "ls -l /tmp");
  BOOST_TEST(!truncated);
  BOOST_TEST(procinfo::detail::cmdline_from_raw(""s, &truncated) == "");
  BOOST_TEST(procinfo::detail::cmdline_from_raw("a\0\0b\0\0\0"s) == "a  b");
}

BOOST_AUTO_TEST_CASE(cmdline_is_capped_at_4096_raw_bytes) {
  bool truncated = false;
  const std::string raw(60000, 'x');
  const std::string out = procinfo::detail::cmdline_from_raw(raw, &truncated);
  BOOST_TEST(out.size() == procinfo::cmdline_max);
  BOOST_TEST(truncated);
  procinfo::detail::cmdline_from_raw(std::string(4096, 'y'), &truncated);
  BOOST_TEST(!truncated);
}

BOOST_AUTO_TEST_CASE(container_rule) {
  BOOST_TEST(procinfo::detail::matches_container_rule("/usr/bin/dockerd -H fd://"));
  BOOST_TEST(procinfo::detail::matches_container_rule("containerd-shim"));
  BOOST_TEST(procinfo::detail::matches_container_rule("runc init"));
  BOOST_TEST(procinfo::detail::matches_container_rule("/bin/busybox sh"));
  BOOST_TEST(!procinfo::detail::matches_container_rule("bash -l"));
  BOOST_TEST(!procinfo::detail::matches_container_rule(""));
}

BOOST_AUTO_TEST_CASE(json_escapes_match_the_driver) {
  std::string out;
  procinfo::detail::append_json_string(out, "a\"b\\c\nd\te\x01\x1f\x7f é"s);
  BOOST_TEST(out == "\"a\\\"b\\\\c\\nd\\te\\u0001\\u001f\x7f é\"");
}

BOOST_AUTO_TEST_CASE(json_string_repairs_then_escapes) {
  BOOST_TEST(procinfo::json_string("a\"\xff\n"s) == "\"a\\\"\xef\xbf\xbd\\n\"");
}

BOOST_AUTO_TEST_SUITE_END()
