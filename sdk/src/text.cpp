// SPDX-License-Identifier: GPL-2.0 OR MIT
// The text rules shared by every source (the driver's json.c, in C++).
#include "text.hpp"

#include <procinfo/source.hpp>

#include <array>
#include <cstdint>
#include <cstring>

namespace procinfo {
namespace {

// Returns the length of the well-formed UTF-8 sequence (RFC 3629) at s[i],
// or 0 if the byte there does not start one; the same rule as the driver.
std::size_t utf8_seq_len(std::string_view s, std::size_t i) noexcept {
  const auto byte = [&](std::size_t k) { return static_cast<std::uint8_t>(s[k]); };
  const std::uint8_t c = byte(i);
  std::size_t len = 0;
  std::uint8_t lo = 0x80;
  std::uint8_t hi = 0xbf;

  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf)
    len = 2;
  else if (c >= 0xe0 && c <= 0xef)
    len = 3;
  else if (c >= 0xf0 && c <= 0xf4)
    len = 4;
  else
    return 0;
  if (len > s.size() - i) return 0;
  // Second-byte limits exclude overlongs, surrogates and > U+10FFFF.
  if (c == 0xe0)
    lo = 0xa0;
  else if (c == 0xed)
    hi = 0x9f;
  else if (c == 0xf0)
    lo = 0x90;
  else if (c == 0xf4)
    hi = 0x8f;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < len; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xbf) return 0;
  return len;
}

}  // namespace

namespace {

// Appends bytes with each byte outside well-formed UTF-8 replaced by
// U+FFFD; runs of ASCII (nearly every name and command line) go at once.
// Bytes of s from i up to its first non-ASCII one or its end; eight at a time.
std::size_t ascii_run_end(std::string_view s, std::size_t i) noexcept {
  constexpr std::uint64_t high_bits = 0x8080808080808080ULL;
  for (; s.size() - i >= sizeof(std::uint64_t); i += sizeof(std::uint64_t)) {
    std::uint64_t word;
    std::memcpy(&word, s.data() + i, sizeof(word));
    if (word & high_bits) break;
  }
  while (i < s.size() && static_cast<std::uint8_t>(s[i]) < 0x80) ++i;
  return i;
}

void append_sanitized(std::string& out, std::string_view bytes) {
  std::size_t i = 0;
  while (i < bytes.size()) {
    const std::size_t end = ascii_run_end(bytes, i);
    out.append(bytes.data() + i, end - i);
    i = end;
    if (i == bytes.size()) break;
    const std::size_t seq = utf8_seq_len(bytes, i);
    if (seq != 0) {
      out.append(bytes.data() + i, seq);
      i += seq;
    } else {
      out.append("\xef\xbf\xbd");  // U+FFFD
      ++i;
    }
  }
}

}  // namespace

std::string sanitize_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  append_sanitized(out, bytes);
  return out;
}

std::string json_string(std::string_view text) {
  std::string out;
  detail::append_json_string(out, sanitize_utf8(text));
  return out;
}

namespace detail {

std::string cmdline_from_raw(std::string_view raw, bool* truncated) {
  const bool cut = raw.size() > cmdline_max;
  if (cut) raw = raw.substr(0, cmdline_max);
  if (truncated != nullptr) *truncated = cut;
  while (!raw.empty() && raw.back() == '\0') raw.remove_suffix(1);
  // NUL is ASCII: sanitizing first and joining after gives the same text.
  std::string joined;
  joined.reserve(raw.size());
  append_sanitized(joined, raw);
  char* at = joined.data();
  char* const end = at + joined.size();
  while ((at = static_cast<char*>(std::memchr(at, '\0', static_cast<std::size_t>(end - at)))))
    *at++ = ' ';
  return joined;
}

bool matches_container_rule(std::string_view cmdline) noexcept {
  static constexpr std::array<std::string_view, 4> keywords = {"docker", "container", "runc",
                                                               "busybox"};
  for (const auto keyword : keywords)
    if (cmdline.find(keyword) != std::string_view::npos) return true;
  return false;
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  out.push_back('"');
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"') {
      out.append("\\\"");
    } else if (c == '\\') {
      out.append("\\\\");
    } else if (c == '\n') {
      out.append("\\n");
    } else if (c == '\t') {
      out.append("\\t");
    } else if (c < 0x20) {
      out.append("\\u00");
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xf]);
    } else {
      out.push_back(ch);
    }
  }
  out.push_back('"');
}

}  // namespace detail
}  // namespace procinfo
