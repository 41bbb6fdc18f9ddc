// SPDX-License-Identifier: GPL-2.0 OR MIT
// The columns of procinfo-ps: what each shows, how it sorts, and the
// machine-readable forms (json-lines, csv) of every model field.
#pragma once

#include "../common/process_text.hpp"
#include "../common/terminal.hpp"

#include <procinfo/procinfo.hpp>

#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <ctime>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ps {

// What the cells of one listing need besides the process.
struct Context {
  const procinfo::Snapshot* snapshot = nullptr;
  long ticks_per_second = 100;
  bool human = false;
  // %CPU by pid, from --interval or from each process's life (see cpu_pct()).
  std::map<std::uint32_t, double> cpu_pct;
  tools::UserNames* users = nullptr;
};

// The start time as ps shows it: HH:MM on the snapshot's day, else MonDD in
// its year, else the year (local time).
inline std::string format_start(const procinfo::Process& p, const procinfo::Snapshot& s) {
  const auto age = tools::elapsed(p, s);
  if (!age) return "-";
  const auto start = s.taken_at - std::chrono::duration_cast<std::chrono::system_clock::duration>(*age);
  const std::time_t t = std::chrono::system_clock::to_time_t(start);
  const std::time_t now = std::chrono::system_clock::to_time_t(s.taken_at);
  std::tm tm{};
  std::tm tm_now{};
  ::localtime_r(&t, &tm);
  ::localtime_r(&now, &tm_now);
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (tm.tm_year == tm_now.tm_year && tm.tm_yday == tm_now.tm_yday)
    return fmt::format("{:02}:{:02}", tm.tm_hour, tm.tm_min);
  if (tm.tm_year == tm_now.tm_year) return fmt::format("{}{:02}", months[tm.tm_mon], tm.tm_mday);
  return fmt::format("{}", tm.tm_year + 1900);
}

template <typename T>
std::string or_dash(const std::optional<T>& v) {
  return v ? fmt::format("{}", *v) : std::string("-");
}

// A value to sort by: absent values first, then numbers or text.
using SortValue = std::variant<std::monostate, std::uint64_t, double, std::string>;

template <typename T>
SortValue sort_opt(const std::optional<T>& v) {
  return v ? SortValue(static_cast<std::uint64_t>(*v)) : SortValue();
}

struct Column {
  std::string_view key;
  std::vector<std::string_view> aliases;  // ps's names for it
  std::string_view header;
  bool right_aligned;
  std::string_view help;
  std::function<std::string(const procinfo::Process&, Context&)> cell;
  std::function<SortValue(const procinfo::Process&, Context&)> sort;
};

template <typename S>
std::string text_or_dash(const std::optional<S>& s) {
  return s && !s->empty() ? tools::printable(*s) : std::string("-");
}

inline std::string reasons_cell(const procinfo::Process& p) {
  if (!p.reasons) return "-";
  const auto names = procinfo::reason_names(*p.reasons);
  return names.empty() ? "-" : fmt::format("{}", fmt::join(names, ","));
}

inline const std::vector<Column>& columns() {
  using P = procinfo::Process;
  static const std::vector<Column> list = {
      {"pid", {}, "PID", true, "process id",
       [](const P& p, Context&) { return fmt::format("{}", p.pid); },
       [](const P& p, Context&) { return SortValue(std::uint64_t{p.pid}); }},
      {"ppid", {}, "PPID", true, "parent process id",
       [](const P& p, Context&) { return or_dash(p.ppid); },
       [](const P& p, Context&) { return sort_opt(p.ppid); }},
      {"user", {"euser", "uname"}, "USER", false, "user name (from the uid)",
       [](const P& p, Context& c) { return p.uid ? tools::printable(c.users->name(*p.uid)) : "-"; },
       [](const P& p, Context& c) { return p.uid ? SortValue(c.users->name(*p.uid)) : SortValue(); }},
      {"uid", {"euid"}, "UID", true, "user id",
       [](const P& p, Context&) { return or_dash(p.uid); },
       [](const P& p, Context&) { return sort_opt(p.uid); }},
      {"nlwp", {"thcount"}, "NLWP", true, "number of threads",
       [](const P& p, Context&) { return or_dash(p.nr_threads); },
       [](const P& p, Context&) { return sort_opt(p.nr_threads); }},
      {"state", {"s", "stat"}, "STATE", false, "state letter: R S D T t X Z P I",
       [](const P& p, Context&) { return tools::printable(std::string(1, p.state)); },
       [](const P& p, Context&) { return SortValue(std::string(1, p.state)); }},
      {"start", {"stime", "start_time"}, "START", true, "start time (HH:MM today, else MonDD, else year)",
       [](const P& p, Context& c) { return format_start(p, *c.snapshot); },
       [](const P& p, Context&) { return sort_opt(p.start_time_ns); }},
      {"elapsed", {"etime"}, "ELAPSED", true, "time since the start, [[dd-]hh:]mm:ss",
       [](const P& p, Context& c) {
         const auto e = tools::elapsed(p, *c.snapshot);
         return e ? tools::format_duration(static_cast<std::uint64_t>(e->count() / 1000000000)) : "-";
       },
       [](const P& p, Context& c) {
         const auto e = tools::elapsed(p, *c.snapshot);
         return e ? SortValue(static_cast<std::uint64_t>(e->count())) : SortValue();
       }},
      {"time", {"cputime"}, "TIME", true, "user + system CPU time, [[dd-]hh:]mm:ss",
       [](const P& p, Context& c) {
         return tools::format_duration(p.cpu_ticks / static_cast<std::uint64_t>(c.ticks_per_second));
       },
       [](const P& p, Context&) { return SortValue(p.cpu_ticks); }},
      {"vsz", {"vsize"}, "VSZ", true, "virtual size, KiB (--human: K M G)",
       [](const P& p, Context& c) { return tools::format_kb(p.vsz_kb, c.human); },
       [](const P& p, Context&) { return SortValue(p.vsz_kb); }},
      {"rss", {"rssize", "rsz"}, "RSS", true, "resident set, KiB (--human: K M G)",
       [](const P& p, Context& c) { return tools::format_kb(p.rss_kb, c.human); },
       [](const P& p, Context&) { return SortValue(p.rss_kb); }},
      {"mem", {"%mem", "pmem"}, "%MEM", true, "resident set, % of total memory",
       [](const P& p, Context&) { return procinfo::format_mem_pct(p.mem_pct_x100); },
       [](const P& p, Context&) { return SortValue(std::uint64_t{p.mem_pct_x100}); }},
      {"cpu", {"%cpu", "pcpu"}, "%CPU", true,
       "CPU use, %: over --interval, else over the process's life",
       [](const P& p, Context& c) {
         const auto it = c.cpu_pct.find(p.pid);
         return it == c.cpu_pct.end() ? std::string("-") : fmt::format("{:.1f}", it->second);
       },
       [](const P& p, Context& c) {
         const auto it = c.cpu_pct.find(p.pid);
         return it == c.cpu_pct.end() ? SortValue() : SortValue(it->second);
       }},
      {"runtime", {}, "RUNTIME", false, "container runtime whose cgroup naming the process is in",
       [](const P& p, Context&) { return tools::runtime_cell(p); },
       [](const P& p, Context&) { return sort_opt(p.runtime); }},
      {"container", {"cid"}, "CONTAINER", false,
       "container id, 12 hex digits as docker ps (LXC, nspawn: the name)",
       [](const P& p, Context&) {
         return p.container_id && !p.container_id->empty()
                    ? tools::printable(tools::short_id(*p.container_id))
                    : std::string("-");
       },
       [](const P& p, Context&) { return p.container_id ? SortValue(*p.container_id) : SortValue(); }},
      {"pod", {"pod_uid"}, "POD", false, "Kubernetes pod uid",
       [](const P& p, Context&) { return text_or_dash(p.pod_uid); },
       [](const P& p, Context&) { return p.pod_uid ? SortValue(*p.pod_uid) : SortValue(); }},
      {"cgroup", {}, "CGROUP", false, "cgroup v2 path",
       [](const P& p, Context&) { return text_or_dash(p.cgroup); },
       [](const P& p, Context&) { return p.cgroup ? SortValue(*p.cgroup) : SortValue(); }},
      {"reasons", {}, "REASONS", false, "why it is a container process: keyword, cgroup, pidns",
       [](const P& p, Context&) { return reasons_cell(p); },
       [](const P& p, Context&) { return sort_opt(p.reasons); }},
      {"name", {"comm", "ucomm"}, "NAME", false, "process name (comm)",
       [](const P& p, Context&) { return tools::printable(p.name); },
       [](const P& p, Context&) { return SortValue(p.name); }},
      {"cmd", {"args", "command", "cmdline"}, "COMMAND", false,
       "command line ([name] without one; " "\u2026" " when cut at 4096 bytes)",
       [](const P& p, Context&) { return tools::command_cell(p); },
       [](const P& p, Context&) { return SortValue(p.cmdline); }},
  };
  return list;
}

// The column key or alias names; nullptr when there is none.
inline const Column* find_column(std::string_view name) {
  for (const Column& c : columns()) {
    if (c.key == name) return &c;
    for (const auto alias : c.aliases)
      if (alias == name) return &c;
  }
  return nullptr;
}

inline std::string column_keys() {
  std::vector<std::string_view> keys;
  for (const Column& c : columns()) keys.push_back(c.key);
  return fmt::format("{}", fmt::join(keys, ", "));
}

// ---- every model field, for json-lines and csv ------------------------------

// One field of the machine-readable forms: a number, a string, a list of
// strings, or absent.
struct Value {
  enum class Kind { absent, number, decimal, text, boolean, list } kind = Kind::absent;
  std::uint64_t number = 0;
  std::string text;  // text; decimal: the number's digits ("0.36")
  bool boolean = false;
  std::vector<std::string_view> list;
};

template <typename T>
Value num(const std::optional<T>& v) {
  Value out;
  if (v) {
    out.kind = Value::Kind::number;
    out.number = static_cast<std::uint64_t>(*v);
  }
  return out;
}
inline Value num(std::uint64_t v) { return num(std::optional<std::uint64_t>(v)); }
inline Value text(std::string s) {
  Value out;
  out.kind = Value::Kind::text;
  out.text = std::move(s);
  return out;
}
inline Value decimal(double d, int places) {
  Value out;
  out.kind = Value::Kind::decimal;
  out.text = fmt::format("{:.{}f}", d, places);
  return out;
}
inline Value text_or_absent(const std::optional<std::string>& s) {
  return s && !s->empty() ? text(*s) : Value();
}
inline Value reasons_value(const procinfo::Process& p) {
  Value out;
  if (p.reasons) {
    out.kind = Value::Kind::list;
    out.list = procinfo::reason_names(*p.reasons);
  }
  return out;
}
inline Value flag(bool b) {
  Value out;
  out.kind = Value::Kind::boolean;
  out.boolean = b;
  return out;
}

// The fields json-lines and csv print, in order.
inline const std::vector<std::string_view>& record_fields() {
  static const std::vector<std::string_view> names = {
      "pid",        "ppid",         "uid",          "user",          "gid",
      "nr_threads", "state",        "name",         "cmdline",       "cmdline_truncated",
      "vsz_kb",     "rss_kb",       "mem_pct",      "cpu_ticks",     "utime_ns",
      "stime_ns",   "start_time_ns", "elapsed_ns",  "cpu_pct",       "flags",
      "kernel_thread", "container",  "cgroup",       "runtime",       "container_id",
      "pod_uid",    "reasons"};
  return names;
}

inline std::vector<Value> record(const procinfo::Process& p, Context& c) {
  const auto cpu = c.cpu_pct.find(p.pid);
  const auto age = tools::elapsed(p, *c.snapshot);
  Value mem;
  mem.kind = Value::Kind::decimal;
  mem.text = procinfo::format_mem_pct(p.mem_pct_x100);
  return {num(std::uint64_t{p.pid}),
          num(p.ppid),
          num(p.uid),
          p.uid ? text(c.users->name(*p.uid)) : Value(),
          num(p.gid),
          num(p.nr_threads),
          text(std::string(1, p.state)),
          text(p.name),
          text(p.cmdline),
          flag(tools::cmdline_truncated(p)),
          num(p.vsz_kb),
          num(p.rss_kb),
          mem,
          num(p.cpu_ticks),
          num(p.utime_ns),
          num(p.stime_ns),
          num(p.start_time_ns),
          age ? num(static_cast<std::uint64_t>(age->count())) : Value(),
          cpu == c.cpu_pct.end() ? Value() : decimal(cpu->second, 2),
          num(p.flags),
          p.flags ? flag(has(*p.flags, procinfo::ProcessFlag::kernel_thread)) : Value(),
          flag(procinfo::is_container(p)),
          p.cgroup ? text(*p.cgroup) : Value(),
          tools::runtime_cell(p) == "-" ? Value() : text(tools::runtime_cell(p)),
          text_or_absent(p.container_id),
          text_or_absent(p.pod_uid),
          reasons_value(p)};
}

}  // namespace ps
