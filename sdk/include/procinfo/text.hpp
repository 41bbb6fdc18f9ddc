// SPDX-License-Identifier: GPL-2.0 OR MIT
// The text rules every source applies, so that all of them agree byte for byte.
#pragma once

#include <procinfo/export.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace procinfo {

// Longest command line kept, in raw /proc/<pid>/cmdline bytes.
inline constexpr std::size_t cmdline_max = 4096;

// Replaces each byte that is not part of a well-formed UTF-8 sequence
// (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF, no
// truncated sequence) by U+FFFD, one per byte.
PROCINFO_API std::string sanitize_utf8(std::string_view bytes);

// Turns raw /proc/<pid>/cmdline bytes into the model's form: the first
// cmdline_max bytes, trailing NULs removed, every other NUL a space, then
// sanitize_utf8(). Sets *truncated when bytes were cut.
PROCINFO_API std::string cmdline_from_raw(std::string_view raw, bool* truncated = nullptr);

// Whether a joined command line matches the container rule: it contains
// "docker", "container", "runc" or "busybox".
PROCINFO_API bool matches_container_rule(std::string_view cmdline) noexcept;

// Appends s as a JSON string literal (quotes included) with the driver's
// escapes: \" \\ \n \t, other bytes below 0x20 as \u00xx. s must be valid UTF-8.
PROCINFO_API void append_json_string(std::string& out, std::string_view s);

}  // namespace procinfo
