// SPDX-License-Identifier: GPL-2.0 OR MIT
// Text helpers the tools share for printing untrusted strings on a terminal.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace tools {

// Returns s with every control character (C0, DEL and, in UTF-8, C1) replaced
// by '?', so that a process name or command line cannot move the cursor,
// change colours or break a line of output. Other bytes are kept.
inline std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) {
      out += '?';
    } else if (c == 0xc2 && i + 1 < s.size() &&
               static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(s[i + 1]) <= 0x9f) {
      out += '?';
      ++i;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// Returns the number of columns s takes, counting one per code point
// (UTF-8 continuation bytes take none).
inline std::size_t display_width(std::string_view s) {
  std::size_t width = 0;
  for (const char ch : s) {
    if ((static_cast<unsigned char>(ch) & 0xc0) != 0x80) ++width;
  }
  return width;
}

// Returns the longest prefix of s that takes at most columns columns, never
// splitting a UTF-8 sequence.
inline std::string_view cut_to_width(std::string_view s, std::size_t columns) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xc0) == 0x80) continue;
    if (width == columns) return s.substr(0, i);
    ++width;
  }
  return s;
}

}  // namespace tools
