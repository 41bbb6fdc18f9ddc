// SPDX-License-Identifier: GPL-2.0 OR MIT
// The text rules every source applies, so that all of them agree byte for
// byte. Internal: not installed (sanitize_utf8() and cmdline_max are public,
// in model.hpp).
#pragma once

#include <procinfo/model.hpp>

#include <string>
#include <string_view>

namespace procinfo::detail {

// Turns raw /proc/<pid>/cmdline bytes into the model's form: the first
// cmdline_max bytes, trailing NULs removed, every other NUL a space, then
// sanitize_utf8(). Sets *truncated when bytes were cut.
std::string cmdline_from_raw(std::string_view raw, bool* truncated = nullptr);

// Whether a joined command line matches the container rule: it contains
// "docker", "container", "runc" or "busybox".
bool matches_container_rule(std::string_view cmdline) noexcept;

// Appends s as a JSON string literal (quotes included) with the driver's
// escapes: \" \\ \n \t, other bytes below 0x20 as \u00xx. s must be valid UTF-8.
void append_json_string(std::string& out, std::string_view s);

}  // namespace procinfo::detail
