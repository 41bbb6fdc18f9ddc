// SPDX-License-Identifier: GPL-2.0 OR MIT
// Strict and live comparison of snapshots. The live rules are documented
// field by field in tools/procinfo-compare/procinfo-compare.1 (LIVE MODE
// RULES); keep both in step.
#include <procinfo/compare.hpp>

#include "text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <functional>
#include <set>
#include <stdexcept>
#include <string_view>
#include <tuple>
#include <type_traits>

namespace procinfo {
namespace {

// Start times are compared at clock-tick resolution: procfs reports them in
// ticks (stat field 22), the device in nanoseconds. The tick is the coarsest
// of the snapshots' own (their user_hz), whatever the comparing system's.
std::uint64_t ns_per_tick(std::initializer_list<const Snapshot*> snapshots) {
  std::uint32_t hz = 0;
  for (const Snapshot* s : snapshots)
    if (s->user_hz && *s->user_hz != 0 && (hz == 0 || *s->user_hz < hz)) hz = *s->user_hz;
  // None known (files written before user_hz was stored): USER_HZ is 100
  // on every Linux ABI but alpha's.
  return 1000000000ULL / (hz != 0 ? hz : 100);
}

// The largest user address space of any 64-bit Linux architecture (x86-64
// and RISC-V with 5-level / Sv57 paging: 2^56 bytes), in KiB. No process can
// have a larger virtual size.
constexpr std::uint64_t max_vsz_kb = std::uint64_t{1} << 46;

// CPU time in clock ticks may read one tick lower than an earlier read of
// the same process (see cpu_tick_slack()).
constexpr std::uint64_t cpu_tick_slack = 1;

enum class Kind {
  text,     // must be equal (live: equal to before or after)
  gauge,    // may move either way while the process runs (live: bracketed, or bounded)
  counter,  // CPU time in ticks: may only grow, within one tick of slack (live)
  split,    // utime_ns / stime_ns: their sum is an exact counter, the split may shift
  state,    // one letter; R S D I flip without CPU accounting
  start,    // compared at tick resolution
};

FieldValue text_value(std::string text) {
  FieldValue v;
  v.present = true;
  v.text = std::move(text);
  return v;
}

// One comparable member: its name and its value as text and as a number.
struct Field {
  std::string_view name;
  Kind kind;
  std::function<std::optional<std::string>(const Process&)> text;
  std::function<std::optional<std::uint64_t>(const Process&)> number;
};

// The number of a value; a flag set's bits.
template <typename T>
std::uint64_t number_of(T v) {
  if constexpr (std::is_enum_v<T>)
    return static_cast<std::underlying_type_t<T>>(v);
  else
    return v;
}
template <typename T>
std::optional<std::uint64_t> num(const std::optional<T>& v) {
  return v ? std::optional<std::uint64_t>(number_of(*v)) : std::nullopt;
}
template <typename T>
std::optional<std::string> txt(const std::optional<T>& v) {
  return v ? std::optional<std::string>(fmt::format("{}", number_of(*v))) : std::nullopt;
}

std::optional<std::string> reasons_text(const std::optional<ContainerReason>& reasons) {
  if (!reasons) return std::nullopt;
  if (*reasons == ContainerReason{}) return "-";
  return fmt::format("{}", fmt::join(reason_names(*reasons), ","));
}

std::optional<std::string> runtime_text(const std::optional<Runtime>& runtime) {
  if (!runtime) return std::nullopt;
  if (*runtime == Runtime::none) return "none";
  return std::string(to_string(*runtime));
}

bool cmdline_unavailable(const Process& p) {
  return p.flags && has(*p.flags, ProcessFlag::cmdline_unavailable);
}

// The flags compared: ProcessFlag::cmdline_unavailable says how one read went, not
// what the process is, so it is left out.
std::optional<ProcessFlag> compared_flags(const Process& p) {
  if (!p.flags) return std::nullopt;
  return *p.flags & ~ProcessFlag::cmdline_unavailable;
}

// What a read whose command line was unavailable can be held against: no
// command line, and nothing derived from one (the keyword reason, the
// container flag where no other reason backs it, truncation).
Process without_cmdline(const Process& p) {
  Process q = p;
  q.cmdline.clear();
  if (q.reasons) *q.reasons &= ~ContainerReason::keyword;
  if (q.flags) {
    *q.flags &= ~ProcessFlag::cmdline_truncated;
    if (!q.reasons || *q.reasons == ContainerReason{}) *q.flags &= ~ProcessFlag::container;
  }
  return q;
}

// The processes of one pid as the compare functions see them: unchanged,
// unless a read could not see the command line (without_cmdline()).
class Comparable {
 public:
  Comparable(std::initializer_list<const Process*> reads) {
    for (const Process* p : reads) unknown_ |= cmdline_unavailable(*p);
    for (const Process* p : reads) {
      if (unknown_) copies_.push_back(without_cmdline(*p));
      originals_.push_back(p);
    }
  }
  const Process& operator[](std::size_t i) const {
    return copies_.empty() ? *originals_[i] : copies_[i];
  }
  // Whether a read's command line was unavailable: cmdline not compared.
  bool cmdline_unknown() const { return unknown_; }

 private:
  std::vector<const Process*> originals_;
  std::vector<Process> copies_;
  bool unknown_ = false;
};

// An accepted difference of the command line of a read that could not see it.
FieldDiff unavailable_cmdline(const Process& a, const Process* a_after, const Process& b) {
  FieldDiff d;
  d.pid = b.pid;
  d.name = b.name;
  d.field = "cmdline";
  d.a = text_value(a.cmdline);
  if (a_after) d.a_after = text_value(a_after->cmdline);
  d.b = text_value(b.cmdline);
  d.value_a = a.cmdline;
  if (a_after && a_after->cmdline != a.cmdline)
    d.value_a = fmt::format("{} then {}", a.cmdline, a_after->cmdline);
  d.value_b = b.cmdline;
  d.reason = "the driver could not read the command line (address space locked); not compared";
  d.mismatch = false;
  return d;
}

const std::vector<Field>& fields() {
  static const std::vector<Field> list = {
      {"cmdline", Kind::text, [](const Process& p) { return std::optional(p.cmdline); }, nullptr},
      {"flags", Kind::text, [](const Process& p) { return txt(compared_flags(p)); },
       [](const Process& p) { return num(compared_flags(p)); }},
      {"cgroup", Kind::text, [](const Process& p) { return p.cgroup; }, nullptr},
      {"container_id", Kind::text, [](const Process& p) { return p.container_id; }, nullptr},
      {"gid", Kind::text, [](const Process& p) { return txt(p.gid); },
       [](const Process& p) { return num(p.gid); }},
      {"mem_pct", Kind::gauge,
       [](const Process& p) { return std::optional(format_mem_pct(p.mem_pct_x100)); },
       [](const Process& p) { return std::optional<std::uint64_t>(p.mem_pct_x100); }},
      {"name", Kind::text, [](const Process& p) { return std::optional(p.name); }, nullptr},
      {"nr_threads", Kind::gauge, [](const Process& p) { return txt(p.nr_threads); },
       [](const Process& p) { return num(p.nr_threads); }},
      {"pod_uid", Kind::text, [](const Process& p) { return p.pod_uid; }, nullptr},
      {"ppid", Kind::text, [](const Process& p) { return txt(p.ppid); },
       [](const Process& p) { return num(p.ppid); }},
      {"proc_jiffies", Kind::counter,
       [](const Process& p) { return std::optional(fmt::format("{}", p.cpu_ticks)); },
       [](const Process& p) { return std::optional<std::uint64_t>(p.cpu_ticks); }},
      {"reasons", Kind::text, [](const Process& p) { return reasons_text(p.reasons); },
       [](const Process& p) { return num(p.reasons); }},
      {"rss_kb", Kind::gauge,
       [](const Process& p) { return std::optional(fmt::format("{}", p.rss_kb)); },
       [](const Process& p) { return std::optional<std::uint64_t>(p.rss_kb); }},
      {"runtime", Kind::text, [](const Process& p) { return runtime_text(p.runtime); },
       [](const Process& p) {
         return p.runtime ? std::optional<std::uint64_t>(static_cast<std::uint64_t>(*p.runtime))
                          : std::nullopt;
       }},
      {"start_time_ns", Kind::start, [](const Process& p) { return txt(p.start_time_ns); },
       [](const Process& p) { return num(p.start_time_ns); }},
      {"state", Kind::state,
       [](const Process& p) { return std::optional(std::string(1, p.state)); }, nullptr},
      {"stime_ns", Kind::split, [](const Process& p) { return txt(p.stime_ns); },
       [](const Process& p) { return num(p.stime_ns); }},
      {"uid", Kind::text, [](const Process& p) { return txt(p.uid); },
       [](const Process& p) { return num(p.uid); }},
      {"utime_ns", Kind::split, [](const Process& p) { return txt(p.utime_ns); },
       [](const Process& p) { return num(p.utime_ns); }},
      {"vsz_kb", Kind::gauge,
       [](const Process& p) { return std::optional(fmt::format("{}", p.vsz_kb)); },
       [](const Process& p) { return std::optional<std::uint64_t>(p.vsz_kb); }},
  };
  return list;
}

const Field& field_named(std::string_view name) {
  return *std::find_if(fields().begin(), fields().end(),
                       [name](const Field& f) { return f.name == name; });
}

// The value compared: start times at tick resolution.
std::optional<std::uint64_t> key(const Field& f, const Process& p, std::uint64_t tick) {
  const auto n = f.number ? f.number(p) : std::nullopt;
  if (n && f.kind == Kind::start) return *n / tick;
  return n;
}

// Whether two values of a field agree (start times at tick resolution).
bool same(const Field& f, const Process& a, const Process& b, std::uint64_t tick) {
  if (f.number) return key(f, a, tick) == key(f, b, tick);
  return f.text(a) == f.text(b);
}

bool both_have(const Field& f, const Process& a, const Process& b) {
  return f.text(a).has_value() && f.text(b).has_value();
}

FieldValue value_of(const Field& f, const Process& p) {
  FieldValue v;
  if (auto t = f.text(p)) {
    v.present = true;
    v.text = std::move(*t);
    if (f.number) v.number = f.number(p);
  }
  return v;
}

FieldValue number_value(std::uint64_t n) {
  FieldValue v;
  v.present = true;
  v.number = n;
  v.text = fmt::format("{}", n);
  return v;
}

// The sum utime_ns + stime_ns, when both are there.
std::optional<std::uint64_t> cpu_ns(const Process& p) {
  if (!p.utime_ns || !p.stime_ns) return std::nullopt;
  return *p.utime_ns + *p.stime_ns;
}

void sort_diffs(CompareReport& report) {
  std::stable_sort(report.diffs.begin(), report.diffs.end(),
                   [](const FieldDiff& x, const FieldDiff& y) {
                     return std::tie(x.pid, x.field) < std::tie(y.pid, y.field);
                   });
}

FieldDiff presence(const Process& p, bool in_a, std::string reason, bool mismatch) {
  FieldDiff d;
  d.pid = p.pid;
  d.name = p.name;
  d.field = "presence";
  d.value_a = in_a ? "present" : "absent";
  d.value_b = in_a ? "absent" : "present";
  d.reason = std::move(reason);
  d.mismatch = mismatch;
  if (in_a) d.a = text_value("present");
  else d.b = text_value("present");
  return d;
}

void add_total(CompareReport& report, std::string_view field, FieldValue a, FieldValue a_after,
               FieldValue b, std::string reason, bool mismatch) {
  FieldDiff d;
  d.name = "(memory totals)";
  d.field = std::string(field);
  d.value_a = a.text;
  if (a_after.present && a_after.number != a.number)
    d.value_a = fmt::format("{} then {}", a.text, a_after.text);
  d.value_b = b.text;
  d.reason = std::move(reason);
  d.mismatch = mismatch;
  d.a = std::move(a);
  d.a_after = std::move(a_after);
  d.b = std::move(b);
  report.diffs.push_back(std::move(d));
}

// The state of one comparison: options applied, diffs collected.
class Comparison {
 public:
  Comparison(CompareReport& report, const CompareOptions& options,
             std::initializer_list<const Snapshot*> snapshots)
      : report_(report) {
    for (const std::string& name : options.ignore_fields) {
      const auto known = compared_fields();
      if (std::find(known.begin(), known.end(), name) == known.end())
        throw std::invalid_argument(fmt::format(
            "unknown field '{}' to ignore: expected one of {}", name, fmt::join(known, ", ")));
      ignored_.insert(name);
    }
    report_.ignored_fields.assign(ignored_.begin(), ignored_.end());
    if (options.exclude)
      for (const Snapshot* s : snapshots)
        for (const Process& p : s->processes)
          if (options.exclude(p)) excluded_.insert(p.pid);
    report_.processes_excluded = excluded_.size();
    for (const Snapshot* s : snapshots)
      report_.reads.push_back({s->source, s->taken_at, s->read_duration, s->processes.size()});
  }

  bool ignored(std::string_view field) const { return ignored_.count(std::string(field)) != 0; }
  bool excluded(std::uint32_t pid) const { return excluded_.count(pid) != 0; }

  // Adds a mismatch for every value of one read that no system can have:
  // rss above MemTotal, mem_pct not floor(rss * 10000 / MemTotal), a virtual
  // size beyond any address space, resident pages without an address space.
  void check_bounds(const Snapshot& s, std::string_view which, bool is_b) {
    for (const Process& p : s.processes) {
      if (excluded(p.pid)) continue;
      const auto bad = [&](std::string_view field, std::string reason) {
        if (ignored(field)) return;
        const Field& f = field_named(field);
        FieldDiff d;
        d.pid = p.pid;
        d.name = p.name;
        d.field = std::string(field);
        (is_b ? d.b : d.a) = value_of(f, p);
        d.value_a = is_b ? "-" : d.a.text;
        d.value_b = is_b ? d.b.text : "-";
        d.reason = fmt::format("impossible value in {}: {}", which, reason);
        d.mismatch = true;
        report_.diffs.push_back(std::move(d));
      };
      if (p.rss_kb > s.mem_total_kb)
        bad("rss_kb", fmt::format("above mem_total_kb ({})", s.mem_total_kb));
      if (s.mem_total_kb != 0) {
        const std::uint64_t pct = p.rss_kb * 10000 / s.mem_total_kb;
        if (pct != p.mem_pct_x100)
          bad("mem_pct", fmt::format("not rss_kb * 100 / mem_total_kb = {} ({} of {} KiB)",
                                     format_mem_pct(static_cast<std::uint32_t>(pct)), p.rss_kb,
                                     s.mem_total_kb));
      }
      if (p.vsz_kb > max_vsz_kb)
        bad("vsz_kb", fmt::format("above the largest address space ({} KiB)", max_vsz_kb));
      // /proc/<pid>/stat reads total_vm without the mmap_lock, and exec's
      // mprotect_fixup() takes the new stack out of it for a moment, so a
      // procfs read can show vsz 0 with the argv page resident; the driver
      // reads both under the lock.
      if (p.rss_kb > 0 && p.vsz_kb == 0 && !s.source.starts_with("procfs"))
        bad("rss_kb", "resident pages without an address space (vsz_kb 0)");
    }
  }

  void finish() { sort_diffs(report_); }

 private:
  CompareReport& report_;
  std::set<std::string> ignored_;
  std::set<std::uint32_t> excluded_;
};

bool views_differ(CompareReport& report, const Snapshot& a, const Snapshot& b) {
  if (a.view == b.view) return false;
  FieldDiff d;
  d.name = "(snapshot)";
  d.field = "view";
  d.value_a = std::string(to_string(a.view));
  d.value_b = std::string(to_string(b.view));
  d.a = text_value(d.value_a);
  d.b = text_value(d.value_b);
  d.reason = "the snapshots hold different views; processes not compared";
  d.mismatch = true;
  report.diffs.push_back(std::move(d));
  return true;
}

}  // namespace

std::string_view to_string(CompareMode mode) noexcept {
  return mode == CompareMode::strict ? "strict" : "live";
}

std::vector<std::string_view> compared_fields() {
  std::vector<std::string_view> names;
  for (const Field& f : fields()) names.push_back(f.name);
  names.push_back("mem_free_kb");
  names.push_back("mem_total_kb");
  std::sort(names.begin(), names.end());
  return names;
}

CompareReport compare_strict(const Snapshot& a, const Snapshot& b) {
  return compare_strict(a, b, CompareOptions{});
}

CompareReport compare_strict(const Snapshot& a, const Snapshot& b, const CompareOptions& options) {
  CompareReport report;
  report.source_a = a.source;
  report.source_b = b.source;
  report.mode = CompareMode::strict;
  report.view = b.view;
  Comparison cmp(report, options, {&a, &b});
  const std::uint64_t tick = ns_per_tick({&a, &b});
  if (views_differ(report, a, b)) return report;

  if (a.mem_total_kb != b.mem_total_kb && !cmp.ignored("mem_total_kb"))
    add_total(report, "mem_total_kb", number_value(a.mem_total_kb), {},
              number_value(b.mem_total_kb), "differs", true);
  // MemFree moves with every allocation anywhere, the reader's own included:
  // two reads never agree on it, however quiet the system. Only two copies of
  // one read (the same taken_at) must carry the same value.
  if (a.mem_free_kb != b.mem_free_kb && !cmp.ignored("mem_free_kb")) {
    const bool same_read = a.taken_at == b.taken_at;
    const bool impossible = b.mem_free_kb > b.mem_total_kb;
    add_total(report, "mem_free_kb", number_value(a.mem_free_kb), {}, number_value(b.mem_free_kb),
              impossible  ? "above mem_total_kb"
              : same_read ? "differs (copies of one read)"
                          : "system-wide gauge, moves between reads",
              same_read || impossible);
  }

  for (const Process& pa : a.processes) {
    if (cmp.excluded(pa.pid)) continue;
    const Process* pb = b.find(pa.pid);
    if (!pb) {
      report.diffs.push_back(presence(pa, true, "only in A", true));
      continue;
    }
    ++report.processes_compared;
    const Comparable pair({&pa, pb});
    if (pair.cmdline_unknown() && !cmp.ignored("cmdline") && pa.cmdline != pb->cmdline)
      report.diffs.push_back(unavailable_cmdline(pa, nullptr, *pb));
    for (const Field& f : fields()) {
      const Process& x = pair[0];
      const Process& y = pair[1];
      if (cmp.ignored(f.name) || !both_have(f, x, y) || same(f, x, y, tick)) continue;
      FieldDiff d;
      d.pid = pa.pid;
      d.name = pa.name;
      d.field = std::string(f.name);
      d.a = value_of(f, x);
      d.b = value_of(f, y);
      d.value_a = d.a.text;
      d.value_b = d.b.text;
      d.reason = f.kind == Kind::start ? "differs (compared in clock ticks)" : "differs";
      d.mismatch = true;
      report.diffs.push_back(std::move(d));
    }
  }
  for (const Process& pb : b.processes)
    if (!cmp.excluded(pb.pid) && !a.find(pb.pid))
      report.diffs.push_back(presence(pb, false, "only in B", true));
  cmp.finish();
  return report;
}

namespace {

constexpr std::string_view quiet_states = "RSDI";
constexpr std::string_view final_states = "ZX";

// What is known about a process between the two reads of A.
struct Activity {
  bool exec = false;           // name or command line changed: a new program
  bool ran = false;            // its CPU time moved: it certainly ran
  bool may_have_run = true;    // false: it certainly did not run
  bool ns_known = false;       // CPU time in nanoseconds in all three reads
};

Activity activity(const Process& before, const Process& b, const Process& after) {
  Activity act;
  act.exec = before.name != after.name || before.cmdline != after.cmdline;
  const auto ns_before = cpu_ns(before);
  const auto ns_b = cpu_ns(b);
  const auto ns_after = cpu_ns(after);
  act.ns_known = ns_before && ns_b && ns_after;
  if (act.ns_known) {
    // CPU time in nanoseconds sees every run, however short.
    act.ran = *ns_before != *ns_b || *ns_b != *ns_after;
    act.may_have_run = act.ran;
  } else {
    // In clock ticks, a run shorter than a tick can leave no trace; only a
    // zombie certainly did not run.
    act.ran = before.cpu_ticks != after.cpu_ticks || before.cpu_ticks != b.cpu_ticks;
    act.may_have_run = final_states.find(before.state) == std::string_view::npos;
  }
  // Only a running thread of the process maps or unmaps memory and starts
  // or ends threads: a virtual size or thread count that moved between A's
  // reads shows it ran, however short (B's own values prove nothing).
  if (!act.ns_known && (before.vsz_kb != after.vsz_kb || before.nr_threads != after.nr_threads))
    act.ran = act.may_have_run = true;
  return act;
}

class LiveOne {
 public:
  LiveOne(CompareReport& report, const Process& before, const Process& b, const Process& after,
          std::uint64_t tick)
      : report_(report),
        before_(before),
        b_(b),
        after_(after),
        act_(activity(before, b, after)),
        tick_(tick) {}

  void compare(const Comparison& cmp) {
    for (const Field& f : fields()) {
      if (cmp.ignored(f.name)) continue;
      if (!both_have(f, before_, b_) || !both_have(f, after_, b_)) continue;
      switch (f.kind) {
        case Kind::counter: counter(f); break;
        case Kind::split: split(f); break;
        case Kind::gauge: gauge(f); break;
        case Kind::state: state(f); break;
        case Kind::start:
        case Kind::text: text(f); break;
      }
    }
  }

 private:
  void add(const Field& f, std::string reason, bool mismatch) {
    FieldDiff d;
    d.pid = b_.pid;
    d.name = b_.name;
    d.field = std::string(f.name);
    d.a = value_of(f, before_);
    d.a_after = value_of(f, after_);
    d.b = value_of(f, b_);
    d.value_a = d.a.text;
    if (!same(f, before_, after_)) d.value_a = fmt::format("{} then {}", d.a.text, d.a_after.text);
    d.value_b = d.b.text;
    d.reason = std::move(reason);
    d.mismatch = mismatch;
    report_.diffs.push_back(std::move(d));
  }

  // proc_jiffies: A's earlier read - 1 <= B <= A's later read + 1 for a
  // process that may have run (the driver's split of CPU time into user and
  // system is not stored back into the kernel's prev_cputime, so a read can
  // be one tick below an earlier one); equal for one that did not.
  void counter(const Field& f) {
    const std::uint64_t x = *f.number(before_);
    const std::uint64_t y = *f.number(after_);
    const std::uint64_t v = *f.number(b_);
    if (v == x && v == y) return;
    const std::uint64_t slack = act_.may_have_run ? cpu_tick_slack : 0;
    const std::uint64_t lo = std::min(x, y);
    const std::uint64_t hi = std::max(x, y);
    if (v + slack < lo) {
      add(f, slack ? fmt::format("counter moved backward, more than {} tick below the reads of A",
                                 slack)
                   : "counter moved backward while the process did not run",
          true);
    } else if (v > hi + slack) {
      add(f, slack ? fmt::format("counter ahead of the later read of A by more than {} tick", slack)
                   : "counter moved while the process did not run",
          true);
    } else if (v < lo || v > hi) {
      add(f, "within one tick of the reads of A (CPU time split not stored in prev_cputime)",
          false);
    } else if (v != x) {
      add(f, "counter moved forward, bracketed by the reads of A", false);
    }
  }

  // utime_ns / stime_ns: the total utime_ns + stime_ns is exact and may only
  // grow, so it must lie between A's reads; the split between the two moves
  // with it. Without running, both stay as they were.
  void split(const Field& f) {
    const std::uint64_t v = *f.number(b_);
    if (v == *f.number(before_) && v == *f.number(after_)) return;
    const auto sum_before = cpu_ns(before_);
    const auto sum_b = cpu_ns(b_);
    const auto sum_after = cpu_ns(after_);
    if (!sum_before || !sum_b || !sum_after) {
      add(f, "differs, and the other half of the CPU time is missing", true);
      return;
    }
    const std::uint64_t lo = std::min(*sum_before, *sum_after);
    const std::uint64_t hi = std::max(*sum_before, *sum_after);
    if (*sum_b < lo || *sum_b > hi) {
      add(f, fmt::format("utime_ns + stime_ns = {} outside the reads of A ({} .. {})", *sum_b, lo,
                         hi),
          true);
    } else if (!act_.ran) {
      add(f, "differs while the process did not run", true);
    } else {
      add(f, "the user/system split moved while the process ran; utime_ns + stime_ns bracketed",
          false);
    }
  }

  // Gauges: equal to or between A's reads; outside them only for a process
  // that ran, may have run unseen (CPU time in ticks) or exec'ed (bounds on
  // every value: check_bounds()).
  void gauge(const Field& f) {
    if (same(f, before_, b_)) return;
    if (same(f, after_, b_)) {
      add(f, "changed between the reads; equals the later read of A", false);
      return;
    }
    const std::uint64_t v = *f.number(b_);
    const std::uint64_t x = *f.number(before_);  // values: minmax() of temporaries dangles
    const std::uint64_t y = *f.number(after_);
    const std::uint64_t lo = std::min(x, y);
    const std::uint64_t hi = std::max(x, y);
    if (v >= lo && v <= hi)
      add(f, "bracketed by the reads of A", false);
    else if (act_.exec)
      add(f, "exec between the reads of A; a new program's value, within physical bounds", false);
    else if (act_.ran)
      add(f, "the process ran between the reads of A; outside them but within physical bounds",
          false);
    else if (act_.may_have_run)
      // A run shorter than a tick can map memory and unmap it again (seen:
      // a busybox child 64 KiB above both reads) and leave its tick count
      // as it was.
      add(f, "CPU time in clock ticks: a run shorter than a tick leaves no trace; outside A's "
             "reads but within physical bounds",
          false);
    else
      add(f, "differs from both reads of A while the process did not run", true);
  }

  void state(const Field& f) {
    if (same(f, before_, b_)) return;
    if (same(f, after_, b_)) {
      add(f, "changed between the reads; equals the later read of A", false);
      return;
    }
    const auto in = [](std::string_view set, char c) {
      return set.find(c) != std::string_view::npos;
    };
    if (in(final_states, before_.state) || (in(final_states, b_.state) && !in(final_states, after_.state)))
      add(f, "no process leaves the zombie/dead state", true);
    else if (in(quiet_states, before_.state) && in(quiet_states, after_.state) &&
             in(quiet_states, b_.state))
      add(f, "run/sleep state flips between the reads", false);
    else if (!same(f, before_, after_))
      add(f, "changed twice between the reads of A; not checkable", false);
    else
      add(f, "differs from both reads of A", true);
  }

  void text(const Field& f) {
    if (same(f, before_, b_)) return;
    if (same(f, after_, b_)) {
      add(f, "changed between the reads; equals the later read of A", false);
      return;
    }
    if (f.kind == Kind::start) {
      add(f, "a different process than both reads of A", true);
    } else if (act_.exec) {
      add(f, "exec between the reads of A; not checkable", false);
    } else if (f.name == "cmdline" && act_.may_have_run) {
      // argv is the process's own memory: setproctitle() rewrites it on
      // every change of state (postgres, sshd, nginx) and can put it back
      // within a run too short to show; a read caught mid-exec or exiting
      // is empty. Only a process that certainly did not run keeps it.
      add(f,
          "the process may have run between the reads of A (its own argv: setproctitle, or "
          "mid-exec or exiting); not checkable",
          false);
    } else if (!same(f, before_, after_)) {
      add(f, "changed twice between the reads of A; not checkable", false);
    } else {
      add(f, "differs from both reads of A", true);
    }
  }

  bool same(const Field& f, const Process& x, const Process& y) const {
    return procinfo::same(f, x, y, tick_);
  }

  CompareReport& report_;
  const Process& before_;
  const Process& b_;
  const Process& after_;
  Activity act_;
  std::uint64_t tick_;
};

}  // namespace

CompareReport compare_live(const Snapshot& a_before, const Snapshot& b, const Snapshot& a_after) {
  return compare_live(a_before, b, a_after, CompareOptions{});
}

CompareReport compare_live(const Snapshot& a_before, const Snapshot& b, const Snapshot& a_after,
                           const CompareOptions& options) {
  CompareReport report;
  report.source_a = a_before.source;
  report.source_b = b.source;
  report.mode = CompareMode::live;
  report.view = b.view;
  Comparison cmp(report, options, {&a_before, &b, &a_after});
  const std::uint64_t tick = ns_per_tick({&a_before, &b, &a_after});
  if (views_differ(report, a_before, b) || views_differ(report, a_after, b)) return report;

  if ((b.mem_total_kb != a_before.mem_total_kb || b.mem_total_kb != a_after.mem_total_kb) &&
      !cmp.ignored("mem_total_kb"))
    add_total(report, "mem_total_kb", number_value(a_before.mem_total_kb),
              number_value(a_after.mem_total_kb), number_value(b.mem_total_kb),
              "total memory differs", true);
  // MemFree is not monotonic: between the reads of A it can fall and rise
  // again (a process exits, KASAN's quarantine drains, reclaim runs), so a
  // value of B outside A's two reads is no contradiction. Only a value no
  // system can have, above MemTotal, is one.
  if (b.mem_free_kb != a_before.mem_free_kb && !cmp.ignored("mem_free_kb")) {
    const auto [lo, hi] = std::minmax(a_before.mem_free_kb, a_after.mem_free_kb);
    const bool inside = b.mem_free_kb >= lo && b.mem_free_kb <= hi;
    const bool impossible = b.mem_free_kb > b.mem_total_kb;
    add_total(report, "mem_free_kb", number_value(a_before.mem_free_kb),
              number_value(a_after.mem_free_kb), number_value(b.mem_free_kb),
              impossible ? "above mem_total_kb"
              : inside   ? "bracketed by the reads of A"
                         : "system-wide gauge, moved outside the reads of A",
              impossible);
  }
  cmp.check_bounds(a_before, "A's earlier read", false);
  cmp.check_bounds(b, "B", true);
  cmp.check_bounds(a_after, "A's later read", false);

  std::set<std::uint32_t> pids;
  for (const Snapshot* s : {&a_before, &b, &a_after})
    for (const Process& p : s->processes)
      if (!cmp.excluded(p.pid)) pids.insert(p.pid);

  const Field& start = field_named("start_time_ns");
  for (const std::uint32_t pid : pids) {
    const Process* before = a_before.find(pid);
    const Process* pb = b.find(pid);
    const Process* after = a_after.find(pid);
    if (pb && before && after) {
      // A start time that moved between the reads of A: the pid was reused.
      if (!cmp.ignored(start.name) && both_have(start, *before, *after) &&
          !same(start, *before, *after, tick)) {
        FieldDiff d = presence(*pb, true, "pid reused between the reads; not compared", false);
        d.field = "start_time_ns";
        d.a = value_of(start, *before);
        d.a_after = value_of(start, *after);
        d.b = value_of(start, *pb);
        d.value_a = fmt::format("{} then {}", d.a.text, d.a_after.text);
        d.value_b = d.b.present ? d.b.text : "absent";
        report.diffs.push_back(std::move(d));
        continue;
      }
      ++report.processes_compared;
      const Comparable reads({before, pb, after});
      if (reads.cmdline_unknown() && !cmp.ignored("cmdline") &&
          (before->cmdline != pb->cmdline || after->cmdline != pb->cmdline))
        report.diffs.push_back(unavailable_cmdline(*before, after, *pb));
      LiveOne(report, reads[0], reads[1], reads[2], tick).compare(cmp);
    } else if (pb) {
      report.diffs.push_back(presence(*pb, false,
                                      before ? "vanished before the later read of A"
                                      : after ? "appeared after the earlier read of A"
                                              : "lived only between the reads of A",
                                      false));
    } else if (before && after) {
      // In both reads of A and not in B: fine only if it is not the same
      // process throughout (pid reused, exec changed its view membership).
      const bool reused =
          before->start_time_ns && after->start_time_ns && !same(start, *before, *after, tick);
      const bool exec = before->name != after->name || before->cmdline != after->cmdline;
      if (reused || exec)
        report.diffs.push_back(presence(*before, true,
                                        reused ? "pid reused between the reads of A"
                                               : "exec between the reads of A",
                                        false));
      else
        report.diffs.push_back(presence(*before, true, "in both reads of A, missing from B", true));
    }
  }
  cmp.finish();
  return report;
}

// ---- the report as JSON ----------------------------------------------------

namespace {

// RFC 3339 UTC with nanoseconds: "2025-01-31T12:00:00.123456789Z".
std::string rfc3339(std::chrono::system_clock::time_point t) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  std::int64_t secs = ns / 1000000000;
  std::int64_t frac = ns % 1000000000;
  if (frac < 0) {
    frac += 1000000000;
    --secs;
  }
  const auto tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  ::gmtime_r(&tt, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

void append_value(std::string& out, const std::string& field, const FieldValue& v) {
  if (!v.present) {
    out += "null";
  } else if (v.number) {
    if (field == "mem_pct")
      out += format_mem_pct(static_cast<std::uint32_t>(*v.number));  // a JSON number: 0.36
    else
      out += fmt::format("{}", *v.number);
  } else {
    detail::append_json_string(out, sanitize_utf8(v.text));
  }
}

}  // namespace

std::string to_json(const CompareReport& report, bool with_accepted) {
  std::string out = "{\"source_a\": ";
  detail::append_json_string(out, sanitize_utf8(report.source_a));
  out += ", \"source_b\": ";
  detail::append_json_string(out, sanitize_utf8(report.source_b));
  out += fmt::format(", \"view\": \"{}\", \"mode\": \"{}\", \"reads\": [", to_string(report.view),
                     to_string(report.mode));
  static constexpr std::string_view live_roles[] = {"a_before", "b", "a_after"};
  static constexpr std::string_view strict_roles[] = {"a", "b"};
  for (std::size_t i = 0; i < report.reads.size(); ++i) {
    const ReadInfo& r = report.reads[i];
    const std::string_view role = report.mode == CompareMode::live && i < 3 ? live_roles[i]
                                  : i < 2                                 ? strict_roles[i]
                                                                          : "other";
    out += i == 0 ? "{" : ", {";
    out += fmt::format("\"role\": \"{}\", \"source\": ", role);
    detail::append_json_string(out, sanitize_utf8(r.source));
    out += fmt::format(", \"taken_at\": \"{}\", \"read_duration_ns\": {}, \"processes\": {}}}",
                       rfc3339(r.taken_at), r.read_duration.count(), r.processes);
  }
  std::size_t accepted = 0;
  for (const FieldDiff& d : report.diffs) accepted += d.mismatch ? 0 : 1;
  out += fmt::format(
      "], \"processes_compared\": {}, \"processes_excluded\": {}, \"ignored_fields\": [",
      report.processes_compared, report.processes_excluded);
  for (std::size_t i = 0; i < report.ignored_fields.size(); ++i) {
    if (i) out += ", ";
    detail::append_json_string(out, sanitize_utf8(report.ignored_fields[i]));
  }
  out += fmt::format("], \"consistent\": {}, \"mismatches\": {}, \"accepted\": {}, \"diffs\": [",
                     report.consistent(), report.mismatch_count(), accepted);
  bool first = true;
  for (const FieldDiff& d : report.diffs) {
    if (!d.mismatch && !with_accepted) continue;
    out += first ? "\n  {" : ",\n  {";
    first = false;
    out += fmt::format("\"pid\": {}, \"name\": ", d.pid);
    detail::append_json_string(out, sanitize_utf8(d.name));
    out += ", \"field\": ";
    detail::append_json_string(out, sanitize_utf8(d.field));
    out += ", \"a\": ";
    append_value(out, d.field, d.a);
    if (report.mode == CompareMode::live) {
      out += ", \"a_after\": ";
      append_value(out, d.field, d.a_after);
    }
    out += ", \"b\": ";
    append_value(out, d.field, d.b);
    out += ", \"reason\": ";
    detail::append_json_string(out, sanitize_utf8(d.reason));
    out += fmt::format(", \"mismatch\": {}}}", d.mismatch);
  }
  out += first ? "]}" : "\n]}";
  return out;
}

}  // namespace procinfo
