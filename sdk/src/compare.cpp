// SPDX-License-Identifier: GPL-2.0 OR MIT
// Strict and live comparison of snapshots.
#include <procinfo/compare.hpp>

#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <set>
#include <string_view>
#include <tuple>

namespace procinfo {
namespace {

// Start times are compared at clock-tick resolution: procfs reports them in
// ticks (stat field 22), the device in nanoseconds.
std::uint64_t start_tick(std::uint64_t ns) {
  static const std::uint64_t ns_per_tick = [] {
    const long hz = ::sysconf(_SC_CLK_TCK);
    return 1000000000ULL / static_cast<std::uint64_t>(hz > 0 ? hz : 100);
  }();
  return ns / ns_per_tick;
}

enum class Kind {
  text,     // must be equal (live: equal to before or after)
  gauge,    // may move either way while the process runs (live: bracketed)
  counter,  // may only grow (live: before <= b <= after)
  state,    // one letter; R S D I flip without CPU accounting
  start,    // compared at tick resolution
};

// One comparable member: its name and its value as text and as a number.
struct Field {
  std::string_view name;
  Kind kind;
  std::function<std::optional<std::string>(const Process&)> text;
  std::function<std::optional<std::uint64_t>(const Process&)> number;
};

template <typename T>
std::optional<std::uint64_t> num(const std::optional<T>& v) {
  return v ? std::optional<std::uint64_t>(*v) : std::nullopt;
}
template <typename T>
std::optional<std::string> txt(const std::optional<T>& v) {
  return v ? std::optional<std::string>(fmt::format("{}", *v)) : std::nullopt;
}

const std::vector<Field>& fields() {
  static const std::vector<Field> list = {
      {"cmdline", Kind::text, [](const Process& p) { return std::optional(p.cmdline); }, nullptr},
      {"flags", Kind::text, [](const Process& p) { return txt(p.flags); }, nullptr},
      {"gid", Kind::text, [](const Process& p) { return txt(p.gid); }, nullptr},
      {"mem_pct", Kind::gauge, [](const Process& p) { return std::optional(format_mem_pct(p.mem_pct_x100)); },
       [](const Process& p) { return std::optional<std::uint64_t>(p.mem_pct_x100); }},
      {"name", Kind::text, [](const Process& p) { return std::optional(p.name); }, nullptr},
      {"nr_threads", Kind::gauge, [](const Process& p) { return txt(p.nr_threads); },
       [](const Process& p) { return num(p.nr_threads); }},
      {"ppid", Kind::text, [](const Process& p) { return txt(p.ppid); }, nullptr},
      {"proc_jiffies", Kind::counter, [](const Process& p) { return std::optional(fmt::format("{}", p.cpu_ticks)); },
       [](const Process& p) { return std::optional<std::uint64_t>(p.cpu_ticks); }},
      {"rss_kb", Kind::gauge, [](const Process& p) { return std::optional(fmt::format("{}", p.rss_kb)); },
       [](const Process& p) { return std::optional<std::uint64_t>(p.rss_kb); }},
      {"start_time_ns", Kind::start, [](const Process& p) { return txt(p.start_time_ns); },
       [](const Process& p) {
         return p.start_time_ns ? std::optional(start_tick(*p.start_time_ns)) : std::nullopt;
       }},
      {"state", Kind::state, [](const Process& p) { return std::optional(std::string(1, p.state)); }, nullptr},
      {"stime_ns", Kind::counter, [](const Process& p) { return txt(p.stime_ns); },
       [](const Process& p) { return num(p.stime_ns); }},
      {"uid", Kind::text, [](const Process& p) { return txt(p.uid); }, nullptr},
      {"utime_ns", Kind::counter, [](const Process& p) { return txt(p.utime_ns); },
       [](const Process& p) { return num(p.utime_ns); }},
      {"vsz_kb", Kind::gauge, [](const Process& p) { return std::optional(fmt::format("{}", p.vsz_kb)); },
       [](const Process& p) { return std::optional<std::uint64_t>(p.vsz_kb); }},
  };
  return list;
}

// Whether two values of a field agree (start times at tick resolution).
bool same(const Field& f, const Process& a, const Process& b) {
  if (f.number) return f.number(a) == f.number(b);
  return f.text(a) == f.text(b);
}

bool both_have(const Field& f, const Process& a, const Process& b) {
  return f.text(a).has_value() && f.text(b).has_value();
}

void sort_diffs(CompareReport& report) {
  std::stable_sort(report.diffs.begin(), report.diffs.end(),
                   [](const FieldDiff& x, const FieldDiff& y) {
                     return std::tie(x.pid, x.field) < std::tie(y.pid, y.field);
                   });
}

FieldDiff presence(const Process& p, bool in_a, std::string reason, bool mismatch) {
  return {p.pid, p.name, "presence", in_a ? "present" : "absent", in_a ? "absent" : "present",
          std::move(reason), mismatch};
}

void add_total(CompareReport& report, std::string_view field, std::string a, std::string b,
               std::string reason, bool mismatch) {
  report.diffs.push_back(
      {0, "(memory totals)", std::string(field), std::move(a), std::move(b), std::move(reason), mismatch});
}

}  // namespace

CompareReport compare_strict(const Snapshot& a, const Snapshot& b) {
  CompareReport report;
  report.source_a = a.source;
  report.source_b = b.source;
  report.mode = CompareMode::strict;
  if (a.mem_total_kb != b.mem_total_kb)
    add_total(report, "mem_total_kb", fmt::format("{}", a.mem_total_kb),
              fmt::format("{}", b.mem_total_kb), "differs", true);
  // MemFree moves with every allocation anywhere, the reader's own included:
  // two reads never agree on it, however quiet the system. Only two copies of
  // one read (the same taken_at) must carry the same value.
  if (a.mem_free_kb != b.mem_free_kb) {
    const bool same_read = a.taken_at == b.taken_at;
    add_total(report, "mem_free_kb", fmt::format("{}", a.mem_free_kb),
              fmt::format("{}", b.mem_free_kb),
              same_read ? "differs (copies of one read)" : "system-wide gauge, moves between reads",
              same_read);
  }

  for (const Process& pa : a.processes) {
    const Process* pb = b.find(pa.pid);
    if (!pb) {
      report.diffs.push_back(presence(pa, true, "only in A", true));
      continue;
    }
    ++report.processes_compared;
    for (const Field& f : fields()) {
      if (!both_have(f, pa, *pb) || same(f, pa, *pb)) continue;
      report.diffs.push_back({pa.pid, pa.name, std::string(f.name), *f.text(pa), *f.text(*pb),
                              f.kind == Kind::start ? "differs (compared in clock ticks)" : "differs",
                              true});
    }
  }
  for (const Process& pb : b.processes)
    if (!a.find(pb.pid)) report.diffs.push_back(presence(pb, false, "only in B", true));
  sort_diffs(report);
  return report;
}

namespace {

constexpr std::string_view quiet_states = "RSDI";

// Whether the process did anything between the two reads of A.
bool active(const Process& before, const Process& after) {
  for (const Field& f : fields())
    if ((f.kind == Kind::counter || f.kind == Kind::gauge) && both_have(f, before, after) &&
        !same(f, before, after))
      return true;
  return false;
}

void compare_one(CompareReport& report, const Process& before, const Process& b,
                 const Process& after) {
  const auto add = [&](const Field& f, std::string reason, bool mismatch) {
    std::string va = *f.text(before);
    if (!same(f, before, after)) va = fmt::format("{} then {}", va, *f.text(after));
    report.diffs.push_back({b.pid, b.name, std::string(f.name), std::move(va), *f.text(b),
                            std::move(reason), mismatch});
  };

  // A start time that moved between the reads of A: the pid was reused.
  const Field& start = *std::find_if(fields().begin(), fields().end(),
                                     [](const Field& f) { return f.kind == Kind::start; });
  if (both_have(start, before, after) && !same(start, before, after)) {
    report.diffs.push_back(presence(b, true, "pid reused between the reads; not compared", false));
    report.diffs.back().field = "start_time_ns";
    report.diffs.back().value_a = fmt::format("{} then {}", *start.text(before), *start.text(after));
    report.diffs.back().value_b = start.text(b).value_or("absent");
    return;
  }
  const bool exec = before.name != after.name || before.cmdline != after.cmdline;
  const bool ran = active(before, after);
  ++report.processes_compared;

  for (const Field& f : fields()) {
    if (!both_have(f, before, b) || !both_have(f, after, b)) continue;
    const bool eq_before = same(f, before, b);
    const bool eq_after = same(f, after, b);
    if (f.kind == Kind::counter) {
      const std::uint64_t lo = *f.number(before);
      const std::uint64_t hi = *f.number(after);
      const std::uint64_t v = *f.number(b);
      if (v < lo)
        add(f, "counter moved backward (below the earlier read of A)", true);
      else if (v > hi)
        add(f, "counter ahead of the later read of A", true);
      else if (!eq_before)
        add(f, "counter moved forward, bracketed by the reads of A", false);
      continue;
    }
    if (eq_before) continue;
    if (eq_after) {
      add(f, "changed between the reads; equals the later read of A", false);
      continue;
    }
    if (f.kind == Kind::start) {
      add(f, "a different process than both reads of A", true);
    } else if (exec) {
      add(f, "exec between the reads of A; not checkable", false);
    } else if (f.kind == Kind::gauge) {
      const std::uint64_t v = *f.number(b);
      const std::uint64_t x = *f.number(before);
      const std::uint64_t y = *f.number(after);
      const std::uint64_t lo = std::min(x, y);
      const std::uint64_t hi = std::max(x, y);
      if (v >= lo && v <= hi)
        add(f, "bracketed by the reads of A", false);
      else if (ran)
        add(f, "the process ran between the reads of A; value not checkable", false);
      else
        add(f, "differs from both reads of A while the process was idle", true);
    } else if (f.kind == Kind::state && quiet_states.find(before.state) != std::string_view::npos &&
               quiet_states.find(after.state) != std::string_view::npos &&
               quiet_states.find(b.state) != std::string_view::npos) {
      add(f, "run/sleep state flips between the reads", false);
    } else if (f.name == "cmdline" && ran && (before.cmdline.empty() || after.cmdline.empty())) {
      // An empty command line is a process without its user memory at that
      // instant: past exec's switch of mm but before argv is in place, or
      // exiting. One that ran around B's read can have shown its argv there.
      add(f, "empty in a read of A (mid-exec or exiting); not checkable", false);
    } else if (!same(f, before, after)) {
      add(f, "changed twice between the reads of A; not checkable", false);
    } else {
      add(f, "differs from both reads of A", true);
    }
  }
}

}  // namespace

CompareReport compare_live(const Snapshot& a_before, const Snapshot& b, const Snapshot& a_after) {
  CompareReport report;
  report.source_a = a_before.source;
  report.source_b = b.source;
  report.mode = CompareMode::live;

  if (b.mem_total_kb != a_before.mem_total_kb || b.mem_total_kb != a_after.mem_total_kb)
    add_total(report, "mem_total_kb",
              fmt::format("{} then {}", a_before.mem_total_kb, a_after.mem_total_kb),
              fmt::format("{}", b.mem_total_kb), "total memory differs", true);
  // MemFree is not monotonic: between the reads of A it can fall and rise
  // again (a process exits, KASAN's quarantine drains, reclaim runs), so a
  // value of B outside A's two reads is no contradiction. Only a value no
  // system can have, above MemTotal, is one.
  if (b.mem_free_kb != a_before.mem_free_kb) {
    const auto [lo, hi] = std::minmax(a_before.mem_free_kb, a_after.mem_free_kb);
    const bool inside = b.mem_free_kb >= lo && b.mem_free_kb <= hi;
    const bool impossible = b.mem_free_kb > b.mem_total_kb;
    add_total(report, "mem_free_kb",
              fmt::format("{} then {}", a_before.mem_free_kb, a_after.mem_free_kb),
              fmt::format("{}", b.mem_free_kb),
              impossible ? "above mem_total_kb"
              : inside   ? "bracketed by the reads of A"
                         : "system-wide gauge, moved outside the reads of A",
              impossible);
  }

  std::set<std::uint32_t> pids;
  for (const Process& p : a_before.processes) pids.insert(p.pid);
  for (const Process& p : b.processes) pids.insert(p.pid);
  for (const Process& p : a_after.processes) pids.insert(p.pid);

  for (const std::uint32_t pid : pids) {
    const Process* before = a_before.find(pid);
    const Process* pb = b.find(pid);
    const Process* after = a_after.find(pid);
    if (pb && before && after) {
      compare_one(report, *before, *pb, *after);
    } else if (pb) {
      report.diffs.push_back(presence(*pb, false,
                                      before ? "vanished before the later read of A"
                                      : after ? "appeared after the earlier read of A"
                                              : "lived only between the reads of A",
                                      false));
    } else if (before && after) {
      // In both reads of A and not in B: fine only if it is not the same
      // process throughout (pid reused, exec changed its view membership).
      const bool reused = before->start_time_ns && after->start_time_ns &&
                          start_tick(*before->start_time_ns) != start_tick(*after->start_time_ns);
      const bool exec = before->name != after->name || before->cmdline != after->cmdline;
      const bool view_flip = b.view == View::containers &&
                             (before->cmdline != after->cmdline || exec);
      if (reused || view_flip || exec)
        report.diffs.push_back(presence(*before, true,
                                        reused ? "pid reused between the reads of A"
                                               : "exec between the reads of A",
                                        false));
      else
        report.diffs.push_back(presence(*before, true, "in both reads of A, missing from B", true));
    }
  }
  sort_diffs(report);
  return report;
}

}  // namespace procinfo
