// SPDX-License-Identifier: GPL-2.0 OR MIT
// The tools' display widths (tools/common/terminal.hpp): columns, not code
// points.
#include "terminal.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using tools::cut_to_width;
using tools::display_width;

BOOST_AUTO_TEST_SUITE(terminal)

BOOST_AUTO_TEST_CASE(widths_of_scripts) {
  BOOST_TEST(display_width("abc") == 3U);
  BOOST_TEST(display_width("\xc3\xa9t\xc3\xa9") == 3U);          // été
  BOOST_TEST(display_width("\xe6\x97\xa5\xe6\x9c\xac") == 4U);   // 日本
  BOOST_TEST(display_width("\xf0\x9f\x98\x80") == 2U);           // 😀
  BOOST_TEST(display_width("e\xcc\x81") == 1U);                  // e + combining acute
  BOOST_TEST(display_width("a\xe2\x80\x8b" "b") == 2U);          // zero width space
  BOOST_TEST(display_width("\xea\xb0\x80") == 2U);               // 가 (Hangul)
  BOOST_TEST(display_width("\xef\xbc\xa1") == 2U);               // Ａ (fullwidth)
  BOOST_TEST(display_width("\xe2\x80\xa6") == 1U);               // … (the truncation marker)
  BOOST_TEST(display_width("\xff") == 1U);                       // a stray byte: one column
}

BOOST_AUTO_TEST_CASE(cutting_never_splits_a_character) {
  const std::string cjk = "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e";  // 日本語: 6 columns
  BOOST_TEST(cut_to_width(cjk, 6) == cjk);
  BOOST_TEST(cut_to_width(cjk, 5) == cjk.substr(0, 6));  // half a character does not fit
  BOOST_TEST(cut_to_width(cjk, 1) == "");
  BOOST_TEST(cut_to_width("ab\xf0\x9f\x98\x80", 3) == "ab");
  BOOST_TEST(cut_to_width("e\xcc\x81x", 1) == "e\xcc\x81");  // the mark stays with its letter
  for (std::size_t w = 0; w < 12; ++w)
    BOOST_TEST(display_width(cut_to_width("a\xe6\x97\xa5" "b\xf0\x9f\x98\x80" "cd", w)) <= w);
}

BOOST_AUTO_TEST_SUITE_END()
