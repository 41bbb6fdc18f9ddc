// SPDX-License-Identifier: GPL-2.0 OR MIT
// How the tools show a process's fields as text: user names, CPU and
// elapsed time, sizes, the command line, container ids. Shared by
// procinfo-ps and procinfo-top, so both print a process the same way.
#pragma once

#include "terminal.hpp"

#include <procinfo/procinfo.hpp>

#include <pwd.h>

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tools {

using Nanos = std::chrono::nanoseconds;

// User names by uid, looked up once each (getpwuid_r); the number when the
// uid has no name.
class UserNames {
 public:
  const std::string& name(std::uint32_t uid) {
    auto it = cache_.find(uid);
    if (it != cache_.end()) return it->second;
    std::string name = fmt::format("{}", uid);
    passwd pw{};
    passwd* found = nullptr;
    std::vector<char> buf(16384);
    if (::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr)
      name = found->pw_name;
    return cache_.emplace(uid, std::move(name)).first->second;
  }

 private:
  std::map<std::uint32_t, std::string> cache_;
};

// CPU time of p in nanoseconds: utime_ns + stime_ns where the source has
// them, else clock ticks.
inline Nanos cpu_time(const procinfo::Process& p, long ticks_per_second) {
  if (p.utime_ns && p.stime_ns) return Nanos(*p.utime_ns + *p.stime_ns);
  return Nanos(p.cpu_ticks * (1000000000ULL / static_cast<std::uint64_t>(ticks_per_second)));
}

// How long p had run when the snapshot was taken; nullopt when the source
// or the snapshot lacks the times.
inline std::optional<Nanos> elapsed(const procinfo::Process& p, const procinfo::Snapshot& s) {
  if (!p.start_time_ns || !s.taken_at_boot) return std::nullopt;
  const Nanos start(*p.start_time_ns);
  return *s.taken_at_boot > start ? *s.taken_at_boot - start : Nanos(0);
}

// Whether p's command line was cut at cmdline_max bytes: the flag where the
// source reports flags, else a command line that long (JSON sources).
inline bool cmdline_truncated(const procinfo::Process& p) {
  if (p.flags) return has(*p.flags, procinfo::ProcessFlag::cmdline_truncated);
  return p.cmdline.size() >= procinfo::cmdline_max;
}

// The marker after a command line cut at cmdline_max bytes.
inline constexpr std::string_view truncation_marker = "\u2026";

// [[dd-]hh:]mm:ss.
inline std::string format_duration(std::uint64_t s) {
  const std::uint64_t days = s / 86400;
  s %= 86400;
  const std::uint64_t hours = s / 3600;
  s %= 3600;
  const std::uint64_t minutes = s / 60;
  s %= 60;
  if (days > 0) return fmt::format("{}-{:02}:{:02}:{:02}", days, hours, minutes, s);
  if (hours > 0) return fmt::format("{:02}:{:02}:{:02}", hours, minutes, s);
  return fmt::format("{:02}:{:02}", minutes, s);
}

// A size in KiB: the number, or with human, 1024-based units ("812K",
// "1.5M", "23G").
inline std::string format_kb(std::uint64_t kb, bool human) {
  if (!human) return fmt::format("{}", kb);
  static constexpr std::string_view units = "KMGTPE";
  double v = static_cast<double>(kb);
  std::size_t u = 0;
  while (v >= 1024.0 && u + 1 < units.size()) {
    v /= 1024.0;
    ++u;
  }
  if (u == 0) return fmt::format("{}K", kb);
  if (v < 9.95) return fmt::format("{:.1f}{}", v, units[u]);
  return fmt::format("{:.0f}{}", v, units[u]);
}

// The command line as ps shows it: [name] for a process without one, the
// marker after one cut at cmdline_max bytes; control bytes made visible.
inline std::string command_cell(const procinfo::Process& p) {
  if (p.cmdline.empty()) return "[" + printable(p.name) + "]";
  std::string out = printable(p.cmdline);
  if (cmdline_truncated(p)) out += truncation_marker;
  return out;
}

// A container id as `docker ps` shows it: the first 12 of its 64 hex
// digits. LXC and nspawn names are shown whole: cut, a name names nothing.
inline std::string short_id(std::string_view id) {
  constexpr std::size_t hex_id = 64;
  constexpr std::size_t shown = 12;
  if (id.size() == hex_id && id.find_first_not_of("0123456789abcdef") == std::string_view::npos)
    return std::string(id.substr(0, shown));
  return std::string(id);
}

// The runtime's name; "-" where the source does not say or the process is
// in no container's cgroup.
inline std::string runtime_cell(const procinfo::Process& p) {
  const std::string_view name = p.runtime ? procinfo::to_string(*p.runtime) : std::string_view();
  return name.empty() ? "-" : std::string(name);
}

}  // namespace tools
