// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// Text rules of the procinfo contract, written once: the UTF-8 sanitising
// that turns arbitrary process bytes into the string the JSON carries, the
// exact JSON escaping, the cmdline joining and the container rule.
// Header-only; meant to move into the SDK later.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace procinfo::text {

inline constexpr std::size_t cmdline_max = 4096;
inline constexpr std::string_view replacement = "\xef\xbf\xbd";  // U+FFFD

// Returns the length of the well-formed UTF-8 sequence (RFC 3629, Unicode
// table 3-7) starting at s[i], or 0 when s[i] does not start one.
inline std::size_t utf8_seq_len(std::string_view s, std::size_t i) {
  auto at = [&](std::size_t k) -> unsigned {
    return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0x100u;
  };
  auto in = [](unsigned b, unsigned lo, unsigned hi) { return b >= lo && b <= hi; };
  const unsigned b0 = at(0);
  if (b0 < 0x80) return 1;
  if (in(b0, 0xc2, 0xdf)) return in(at(1), 0x80, 0xbf) ? 2 : 0;
  if (b0 == 0xe0) return in(at(1), 0xa0, 0xbf) && in(at(2), 0x80, 0xbf) ? 3 : 0;
  if (in(b0, 0xe1, 0xec) || in(b0, 0xee, 0xef))
    return in(at(1), 0x80, 0xbf) && in(at(2), 0x80, 0xbf) ? 3 : 0;
  if (b0 == 0xed)  // no surrogates
    return in(at(1), 0x80, 0x9f) && in(at(2), 0x80, 0xbf) ? 3 : 0;
  if (b0 == 0xf0)
    return in(at(1), 0x90, 0xbf) && in(at(2), 0x80, 0xbf) && in(at(3), 0x80, 0xbf) ? 4 : 0;
  if (in(b0, 0xf1, 0xf3))
    return in(at(1), 0x80, 0xbf) && in(at(2), 0x80, 0xbf) && in(at(3), 0x80, 0xbf) ? 4 : 0;
  if (b0 == 0xf4)  // nothing above U+10FFFF
    return in(at(1), 0x80, 0x8f) && in(at(2), 0x80, 0xbf) && in(at(3), 0x80, 0xbf) ? 4 : 0;
  return 0;
}

// Returns raw with every byte that is not part of a well-formed UTF-8
// sequence replaced by one U+FFFD; decoding resumes at the next byte.
inline std::string sanitize_utf8(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size();) {
    const std::size_t n = utf8_seq_len(raw, i);
    if (n == 0) {
      out += replacement;
      i += 1;
    } else {
      out.append(raw.substr(i, n));
      i += n;
    }
  }
  return out;
}

// Returns the body (without quotes) of the JSON string the driver must write
// for an already sanitised string: \" \\ \n \t, other bytes < 0x20 as
// \u00xx with lower-case hex, everything else raw.
inline std::string json_escape(std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() + 8);
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += ch;
        }
    }
  }
  return out;
}

// Returns the first cmdline_max bytes of a raw /proc/<pid>/cmdline with the
// trailing NUL bytes removed: the raw form the device carries.
inline std::string_view cap_cmdline(std::string_view raw) {
  raw = raw.substr(0, cmdline_max);
  while (!raw.empty() && raw.back() == '\0') raw.remove_suffix(1);
  return raw;
}

// Returns the joined form of a raw (capped, stripped) cmdline: each NUL
// becomes one space. Not sanitised.
inline std::string join_cmdline(std::string_view capped) {
  std::string out(capped);
  for (auto& c : out)
    if (c == '\0') c = ' ';
  return out;
}

// Returns whether a joined cmdline marks a container process (baseline
// rule of the contract: case-sensitive substring).
inline bool container_rule(std::string_view joined) {
  for (std::string_view w : {"docker", "container", "runc", "busybox"})
    if (joined.find(w) != std::string_view::npos) return true;
  return false;
}

// Returns the "%u.%02u" form of floor(rss_kb * 10000 / total_kb).
inline std::string mem_pct(std::uint64_t rss_kb, std::uint64_t total_kb) {
  const std::uint64_t x = total_kb ? rss_kb * 10000 / total_kb : 0;
  std::string out = std::to_string(x / 100) + ".";
  const std::uint64_t frac = x % 100;
  if (frac < 10) out += '0';
  out += std::to_string(frac);
  return out;
}

// Returns s with bytes outside printable ASCII shown as C escapes, for
// messages.
inline std::string printable(std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\\') {
      out += "\\\\";
    } else if (c >= 0x20 && c < 0x7f) {
      out += ch;
    } else {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace procinfo::text
