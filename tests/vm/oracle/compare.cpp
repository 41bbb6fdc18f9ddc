// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "compare.hpp"

#include "procinfo_text.hpp"

#include <fmt/format.h>
#include <unistd.h>
#include <algorithm>
#include <map>

namespace procinfo::compare {

using text::printable;
using text::sanitize_utf8;

void Report::fail(std::string_view msg) {
  ++problems;
  fmt::print("FAIL: {}\n", msg);
}

void Report::mismatch(long pid, std::string_view name, std::string_view field, std::string_view got,
                      std::string_view want) {
  ++problems;
  fmt::print("MISMATCH pid={} name=\"{}\" field={} got=\"{}\" want=\"{}\"\n", pid, printable(name),
             field, printable(got), printable(want));
}

bool in_container_view(const truth::Proc& p) {
  return p.container();
}

namespace {

const long self = ::getpid();

const truth::Proc* find(const truth::Snapshot& s, long pid) {
  auto it = s.procs.find(static_cast<int>(pid));
  return it == s.procs.end() ? nullptr : &it->second;
}

// Kernel threads: /proc may decorate the name ("kworker/0:0-events") or
// show the full name; the raw comm is its first 15 bytes, or for a
// workqueue worker the part before the decoration.
bool kthread_name_ok(std::string_view got, std::string_view shown) {
  if (got.empty() || got.size() > 15 || shown.substr(0, got.size()) != got) return false;
  if (got.size() == std::min<std::size_t>(15, shown.size())) return true;
  // Workqueue workers: "kworker/0:0" shown as "kworker/0:0-events".
  return shown.substr(0, 7) == "kworker" && (shown[got.size()] == '-' || shown[got.size()] == '+');
}

// One process of a source against its truth: strict (b only, exact) or
// bracketed by b (before) and a (after).
struct Cmp {
  Report& rep;
  long pid;
  std::string name;
  const truth::Proc& b;
  const truth::Proc& a;
  bool strict;

  void u64(std::string_view field, std::uint64_t got, std::uint64_t vb, std::uint64_t va) {
    if (strict ? got == vb : (got >= std::min(vb, va) && got <= std::max(vb, va))) return;
    rep.mismatch(pid, name, field, std::to_string(got),
                 strict || vb == va ? std::to_string(vb)
                                    : fmt::format("{}..{}", std::min(vb, va), std::max(vb, va)));
  }
  // CPU ticks of a process that ran between the walks: the driver splits
  // its run time from prev_cputime without storing it, so its user +
  // system ticks can be one above a later /proc read (README, note 1).
  void ticks(std::string_view field, std::uint64_t got, std::uint64_t vb, std::uint64_t va) {
    if (!strict && got == std::max(vb, va) + 1) return;
    u64(field, got, vb, va);
  }
  void str(std::string_view field, std::string_view got, std::string_view wb, std::string_view wa) {
    if (got == wb || (!strict && got == wa)) return;
    rep.mismatch(pid, name, field, got, wb);
  }
  void comm(std::string_view field, std::string_view got, bool sanitize) {
    auto shown_b = sanitize ? sanitize_utf8(b.comm) : b.comm;
    auto shown_a = sanitize ? sanitize_utf8(a.comm) : a.comm;
    if (b.kthread()) {
      if (!kthread_name_ok(got, shown_b) && (strict || !kthread_name_ok(got, shown_a)))
        rep.mismatch(pid, name, field, got, fmt::format("prefix of {} (kernel thread)", shown_b));
      return;
    }
    str(field, got, shown_b, shown_a);
  }
  void state(char got) {
    const bool stable =
        b.state == a.state && std::string_view("TtZ").find(b.state) != std::string_view::npos;
    if ((strict || stable) && got != b.state)
      rep.mismatch(pid, name, "state", std::string(1, got), std::string(1, b.state));
  }
};

void check_header(const char* what, std::uint64_t total, std::uint64_t free_kb, std::size_t bytes,
                  const truth::Snapshot& before, const truth::Snapshot& after, Report& rep) {
  if (total != before.mem_total_kb || total != after.mem_total_kb)
    rep.fail(fmt::format("{} mem_total_kb {} != /proc/meminfo MemTotal {}", what, total,
                         before.mem_total_kb));
  // MemFree moves; the snapshot itself allocates. Bracket it, with slack.
  const std::uint64_t slack = 8192 + 4 * bytes / 1024;
  const std::uint64_t lo = std::min(before.mem_free_kb, after.mem_free_kb);
  const std::uint64_t hi = std::max(before.mem_free_kb, after.mem_free_kb);
  if (free_kb + slack < lo || free_kb > hi + slack)
    rep.fail(fmt::format("{} mem_free_kb {} outside MemFree {}..{} (slack {} KiB)", what, free_kb,
                         lo, hi, slack));
}

// Checks the pid set of a source: everything alive throughout is listed
// (in the containers view: everything matching the rule throughout).
void check_pid_set(const char* what, const std::set<long>& listed, const truth::Snapshot& before,
                   const truth::Snapshot& after, const Options& opt, Report& rep) {
  std::size_t expected = 0;
  for (auto& [pid, b] : before.procs) {
    auto* a = find(after, pid);
    if (!a || a->start != b.start) continue;
    const bool want = !opt.containers || (in_container_view(b) && in_container_view(*a));
    const bool unwanted = opt.containers && !in_container_view(b) && !in_container_view(*a);
    const bool got = listed.count(pid);
    expected += want;
    if (want && !got)
      rep.fail(fmt::format("{}: pid {} \"{}\" (alive throughout{}) is missing", what, pid,
                           printable(b.comm), opt.containers ? ", container rule matches" : ""));
    if (unwanted && got)
      rep.fail(fmt::format("{}: pid {} \"{}\" cmdline \"{}\" is not a container process", what, pid,
                           printable(b.comm), printable(text::join_cmdline(b.cmdline))));
  }
  for (long pid : opt.required)
    if (!listed.count(pid)) rep.fail(fmt::format("{}: required pid {} is missing", what, pid));
  for (long pid : opt.strict)
    if (!listed.count(pid) &&
        (!opt.containers || (find(before, pid) && in_container_view(*find(before, pid)))))
      rep.fail(fmt::format("{}: strict pid {} is missing", what, pid));
  fmt::print("{}: {} listed, {} alive throughout{} per /proc\n", what, listed.size(), expected,
             opt.containers ? " and matching the container rule" : "");
}

// Returns the truth pair to compare with, or nothing when the process is
// not comparable (appeared or vanished meanwhile, or is this program).
bool pick(long pid, const truth::Snapshot& before, const truth::Snapshot& after, const Options& opt,
          const char* what, Report& rep, const truth::Proc*& b, const truth::Proc*& a,
          bool& strict) {
  b = find(before, pid);
  a = find(after, pid);
  strict = opt.strict.count(pid);
  if (strict) {
    if (!b) {
      rep.fail(fmt::format("{}: strict pid {} is not in /proc", what, pid));
      return false;
    }
    if (a && (a->jiffies() != b->jiffies() || a->state != b->state || a->vsz_kb != b->vsz_kb ||
              a->rss_kb != b->rss_kb))
      rep.fail(
          fmt::format("strict pid {} changed in /proc during the check "
                      "(not stopped?)",
                      pid));
    a = b;
    return true;
  }
  if (pid == self) return false;
  if (!b || !a || b->start != a->start) {
    if (!b && !a && opt.exact_set)
      rep.fail(fmt::format("{}: pid {} is listed but in neither /proc walk", what, pid));
    else if (!b && !a) {
      int tgid = truth::read_tgid(static_cast<int>(pid));
      if (tgid >= 0 && tgid != pid)
        rep.fail(fmt::format("{}: pid {} is a thread of {}, not a process", what, pid, tgid));
    }
    return false;
  }
  return true;
}

}  // namespace

void json_vs_truth(const jsondoc::Doc& doc, const truth::Snapshot& before,
                   const truth::Snapshot& after, const Options& opt, Report& rep) {
  check_header("json", doc.mem_total_kb, doc.mem_free_kb, doc.bytes, before, after, rep);
  std::set<long> listed;
  for (auto& e : doc.entries) {
    const long pid = static_cast<long>(e.pid);
    listed.insert(pid);
    const truth::Proc *b, *a;
    bool strict;
    if (!pick(pid, before, after, opt, "json", rep, b, a, strict)) continue;
    Cmp c{rep, pid, e.name, *b, *a, strict};
    c.comm("name", e.name, true);
    c.str("cmdline", e.cmdline, sanitize_utf8(text::join_cmdline(b->cmdline)),
          sanitize_utf8(text::join_cmdline(a->cmdline)));
    c.u64("vsz_kb", e.vsz_kb, b->vsz_kb, a->vsz_kb);
    c.u64("rss_kb", e.rss_kb, b->rss_kb, a->rss_kb);
    c.ticks("proc_jiffies", e.proc_jiffies, b->jiffies(), a->jiffies());
    c.state(e.state.empty() ? '?' : e.state[0]);
    if (strict) c.str("mem_pct", e.mem_pct, text::mem_pct(b->rss_kb, before.mem_total_kb), "");
    if (opt.containers && !in_container_view(*b) && !in_container_view(*a))
      rep.fail(fmt::format("json: pid {} is listed but is not a container process", pid));
  }
  check_pid_set("json", listed, before, after, opt, rep);
}

// The container identity of a record against /proc/<pid>/cgroup, the
// matcher's reading of that path, and /proc/<pid>/ns/pid.
void identity_vs_truth(const device::Record& rec, const truth::Proc& b, const truth::Proc& a,
                       Cmp& c, Report& rep) {
  const auto& r = rec.r;
  const long pid = r.pid;
  c.str("cgroup", rec.cgroup, b.cgroup, a.cgroup);
  if (b.cgroup != a.cgroup) return;  // moved meanwhile: the identity may be either
  const auto id = b.identity();
  c.u64("runtime", r.runtime, id.runtime, id.runtime);
  c.str("container_id", rec.container_id, id.id, id.id);
  c.str("pod_uid", rec.pod_uid, id.pod_uid, id.pod_uid);
  auto reason = [&](const char* name, std::uint32_t bit, bool want) {
    const bool got = r.reasons & bit;
    if (got != want)
      rep.mismatch(pid, rec.comm, fmt::format("reasons.{}", name), got ? "1" : "0",
                   want ? "1" : "0");
  };
  if (b.keyword() == a.keyword()) reason("keyword", PROCINFO_REASON_KEYWORD, b.keyword());
  reason("cgroup", PROCINFO_REASON_CGROUP, id.runtime != 0);
  reason("pidns", PROCINFO_REASON_PIDNS, b.other_pidns);
}

void device_vs_truth(const device::Snapshot& snap, const truth::Snapshot& before,
                     const truth::Snapshot& after, const Options& opt, Report& rep) {
  check_header("device", snap.req.mem_total_kb, snap.req.mem_free_kb, snap.req.needed, before,
               after, rep);
  std::set<long> listed;
  const std::uint64_t tick_ns = 1000000000ull / (snap.req.user_hz ? snap.req.user_hz : 100);
  for (auto& rec : snap.records) {
    auto& r = rec.r;
    const long pid = r.pid;
    listed.insert(pid);
    const truth::Proc *b, *a;
    bool strict;
    if (!pick(pid, before, after, opt, "device", rep, b, a, strict)) continue;
    Cmp c{rep, pid, rec.comm, *b, *a, strict};
    c.comm("comm", rec.comm, false);
    c.str("cmdline", rec.cmdline, b->cmdline, a->cmdline);
    c.u64("vsz_kb", r.vsz_kb, b->vsz_kb, a->vsz_kb);
    c.u64("rss_kb", r.rss_kb, b->rss_kb, a->rss_kb);
    c.ticks("cpu_ticks", r.cpu_ticks, b->jiffies(), a->jiffies());
    c.state(static_cast<char>(r.state));
    c.u64("ppid", r.ppid, b->ppid, a->ppid);
    if (b->has_ids && a->has_ids) {
      c.u64("uid", r.uid, b->uid, a->uid);
      c.u64("gid", r.gid, b->gid, a->gid);
    }
    if (strict) c.u64("nr_threads", r.nr_threads, b->threads, b->threads);
    c.u64("start_time_ns/tick", r.start_time_ns / tick_ns, b->start, a->start);
    const bool kt = r.flags & PROCINFO_REC_KTHREAD;
    if (kt != b->kthread())
      rep.mismatch(pid, rec.comm, "flags.kthread", kt ? "1" : "0", b->kthread() ? "1" : "0");
    const bool no_mm = r.flags & PROCINFO_REC_NO_MM;
    if ((b->vsz_kb == 0 && a->vsz_kb == 0 && !no_mm) || (b->vsz_kb != 0 && a->vsz_kb != 0 && no_mm))
      rep.mismatch(pid, rec.comm, "flags.no_mm", no_mm ? "1" : "0", no_mm ? "0" : "1");
    const bool trunc = r.flags & PROCINFO_REC_CMDLINE_TRUNCATED;
    // Past the cap only NULs: either answer is acceptable.
    if ((b->cmdline_over && !trunc) || (!b->cmdline_long && trunc))
      rep.mismatch(pid, rec.comm, "flags.cmdline_truncated", trunc ? "1" : "0", trunc ? "0" : "1");
    if (snap.ver.features & PROCINFO_FEAT_CONTAINER_ID) identity_vs_truth(rec, *b, *a, c, rep);
  }
  check_pid_set("device", listed, before, after, opt, rep);
}

void device_vs_json(const device::Snapshot& snap, const jsondoc::Doc& doc,
                    const truth::Snapshot& before, const truth::Snapshot& after, const Options& opt,
                    Report& rep) {
  if (snap.req.mem_total_kb != doc.mem_total_kb)
    rep.fail(
        fmt::format("device mem_total_kb {} != json {}", snap.req.mem_total_kb, doc.mem_total_kb));
  std::map<long, const jsondoc::Entry*> js;
  for (auto& e : doc.entries) js[static_cast<long>(e.pid)] = &e;
  std::set<long> dev;
  std::size_t compared = 0;
  for (auto& rec : snap.records) {
    auto& r = rec.r;
    const long pid = r.pid;
    dev.insert(pid);
    const bool strict = opt.strict.count(pid);
    auto it = js.find(pid);
    if (it == js.end()) {
      if (strict) rep.fail(fmt::format("strict pid {} in the device but not in the JSON", pid));
      continue;
    }
    auto& e = *it->second;
    ++compared;
    auto* b = find(before, pid);
    auto* a = find(after, pid);
    const bool stable = strict || (b && a && b->start == a->start && b->comm == a->comm &&
                                   b->cmdline == a->cmdline);
    auto name = sanitize_utf8(rec.comm);
    auto cmd = sanitize_utf8(text::join_cmdline(rec.cmdline));
    if (stable && name != e.name)
      rep.mismatch(pid, rec.comm, "device comm vs json name", name, e.name);
    if (stable && cmd != e.cmdline)
      rep.mismatch(pid, rec.comm, "device cmdline vs json cmdline", cmd, e.cmdline);
    if (strict) {
      auto eq = [&](const char* f, std::uint64_t d, std::uint64_t j) {
        if (d != j)
          rep.mismatch(pid, rec.comm, fmt::format("device vs json {}", f), std::to_string(d),
                       std::to_string(j));
      };
      eq("vsz_kb", r.vsz_kb, e.vsz_kb);
      eq("rss_kb", r.rss_kb, e.rss_kb);
      eq("cpu_ticks/proc_jiffies", r.cpu_ticks, e.proc_jiffies);
      if (e.state != std::string(1, static_cast<char>(r.state)))
        rep.mismatch(pid, rec.comm, "device vs json state",
                     std::string(1, static_cast<char>(r.state)), e.state);
      auto pct = fmt::format("{}.{:02}", r.mem_pct_x100 / 100, r.mem_pct_x100 % 100);
      if (pct != e.mem_pct) rep.mismatch(pid, rec.comm, "device vs json mem_pct", pct, e.mem_pct);
    } else if (pid != self && e.proc_jiffies + 1 < r.cpu_ticks) {
      // one tick lower is the split's rounding (README, note 1)
      rep.mismatch(pid, rec.comm, "json proc_jiffies >= device cpu_ticks (read later)",
                   std::to_string(e.proc_jiffies), std::to_string(r.cpu_ticks));
    }
  }
  for (long pid : opt.strict)
    if (js.count(pid) && !dev.count(pid))
      rep.fail(fmt::format("strict pid {} in the JSON but not in the device", pid));
  fmt::print("device vs json: {} processes in both compared\n", compared);
}

}  // namespace procinfo::compare
