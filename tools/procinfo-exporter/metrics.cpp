// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "metrics.hpp"

#include <unistd.h>

#include <algorithm>
#include <string_view>
#include <utility>

namespace exporter {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

constexpr double bytes_per_kb = 1024.0;

MetricFamily family(std::string name, std::string help, MetricType type) {
  return MetricFamily{std::move(name), std::move(help), type, {}};
}

void add_gauge(MetricFamily& f, std::vector<ClientMetric::Label> labels, double value) {
  ClientMetric m;
  m.label = std::move(labels);
  m.gauge.value = value;
  f.metric.push_back(std::move(m));
}

void add_counter(MetricFamily& f, std::vector<ClientMetric::Label> labels, double value) {
  ClientMetric m;
  m.label = std::move(labels);
  m.counter.value = value;
  f.metric.push_back(std::move(m));
}

std::uint32_t ticks_per_second(const procinfo::Snapshot& s) noexcept {
  if (s.user_hz && *s.user_hz > 0) return *s.user_hz;
  const long hz = ::sysconf(_SC_CLK_TCK);
  return hz > 0 ? static_cast<std::uint32_t>(hz) : 100;
}

std::vector<ClientMetric::Label> container_labels(const ContainerCpuLedger::Key& k) {
  // Label values must be UTF-8; an LXC or nspawn name is whatever bytes
  // its administrator chose.
  return {{"runtime", std::string(procinfo::to_string(k.runtime))},
          {"container_id", procinfo::sanitize_utf8(k.container_id)},
          {"pod_uid", procinfo::sanitize_utf8(k.pod_uid)}};
}

// The processes of each container, by the identity the source reports.
struct ContainerTotals {
  std::uint64_t processes = 0;
  std::uint64_t rss_kb = 0;
  std::uint64_t vsz_kb = 0;
};

void add_containers(const procinfo::Snapshot& s, std::uint32_t hz, ContainerCpuLedger& ledger,
                    std::vector<MetricFamily>& out) {
  std::map<ContainerCpuLedger::Key, ContainerTotals> totals;
  std::vector<std::pair<std::map<ContainerCpuLedger::Key, ContainerTotals>::iterator,
                        const procinfo::Process*>>
      members;
  bool identity = false;
  for (const procinfo::Process& p : s.processes) {
    if (!p.container_id) continue;
    identity = true;
    if (p.container_id->empty()) continue;
    ContainerCpuLedger::Key key{p.runtime.value_or(procinfo::Runtime::none), *p.container_id,
                                p.pod_uid.value_or(std::string())};
    const auto it = totals.try_emplace(std::move(key)).first;
    it->second.processes += 1;
    it->second.rss_kb += p.rss_kb;
    it->second.vsz_kb += p.vsz_kb;
    members.emplace_back(it, &p);
  }
  if (!identity) return;  // a source without the container identity (JSON files)

  std::vector<ContainerCpuLedger::Sample> samples;
  samples.reserve(members.size());
  for (const auto& [it, p] : members)
    samples.push_back({&it->first, p->pid, p->start_time_ns.value_or(0), cpu_seconds(*p, hz)});
  const std::map<ContainerCpuLedger::Key, double> cpu = ledger.update(samples);

  auto processes = family("procinfo_container_processes",
                          "Processes in the container (by its cgroup's runtime naming).",
                          MetricType::Gauge);
  auto cpu_total = family("procinfo_container_cpu_seconds_total",
                          "CPU time used by the container's processes (user + system), with the "
                          "last value seen of those that exited.",
                          MetricType::Counter);
  auto rss = family("procinfo_container_resident_memory_bytes",
                    "Sum of the resident memory of the container's processes.",
                    MetricType::Gauge);
  auto vsz = family("procinfo_container_virtual_memory_bytes",
                    "Sum of the virtual memory size of the container's processes.",
                    MetricType::Gauge);
  for (const auto& [key, t] : totals) {
    auto labels = container_labels(key);
    add_gauge(processes, labels, static_cast<double>(t.processes));
    add_counter(cpu_total, labels, cpu.at(key));
    add_gauge(rss, labels, static_cast<double>(t.rss_kb) * bytes_per_kb);
    add_gauge(vsz, std::move(labels), static_cast<double>(t.vsz_kb) * bytes_per_kb);
  }
  for (auto* f : {&processes, &cpu_total, &rss, &vsz}) out.push_back(std::move(*f));
}

void add_top_processes(const procinfo::Snapshot& s, std::size_t top_n, std::uint32_t hz,
                       std::vector<MetricFamily>& out) {
  std::vector<const procinfo::Process*> by_rss;
  by_rss.reserve(s.processes.size());
  for (const procinfo::Process& p : s.processes) by_rss.push_back(&p);
  std::vector<const procinfo::Process*> by_cpu = by_rss;
  const std::size_t n = std::min(top_n, by_rss.size());
  // Ties go to the lower pid, so that equal values give the same series.
  std::partial_sort(by_rss.begin(), by_rss.begin() + static_cast<std::ptrdiff_t>(n), by_rss.end(),
                    [](const auto* a, const auto* b) {
                      return a->rss_kb != b->rss_kb ? a->rss_kb > b->rss_kb : a->pid < b->pid;
                    });
  std::vector<std::pair<double, const procinfo::Process*>> cpu;
  cpu.reserve(by_cpu.size());
  for (const auto* p : by_cpu) cpu.emplace_back(cpu_seconds(*p, hz), p);
  std::partial_sort(cpu.begin(), cpu.begin() + static_cast<std::ptrdiff_t>(n), cpu.end(),
                    [](const auto& a, const auto& b) {
                      return a.first != b.first ? a.first > b.first : a.second->pid < b.second->pid;
                    });
  std::vector<const procinfo::Process*> chosen(by_rss.begin(),
                                               by_rss.begin() + static_cast<std::ptrdiff_t>(n));
  for (std::size_t i = 0; i < n; ++i) chosen.push_back(cpu[i].second);
  std::sort(chosen.begin(), chosen.end(), [](const auto* a, const auto* b) { return a->pid < b->pid; });
  chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());

  auto rss = family("procinfo_process_resident_memory_bytes",
                    "Resident memory of the processes largest by resident memory or CPU time "
                    "(--top-n).",
                    MetricType::Gauge);
  auto cpu_total = family("procinfo_process_cpu_seconds_total",
                          "CPU time (user + system) of the processes largest by resident memory "
                          "or CPU time (--top-n).",
                          MetricType::Counter);
  for (const auto* p : chosen) {
    std::vector<ClientMetric::Label> labels{{"pid", std::to_string(p->pid)}, {"name", p->name}};
    add_gauge(rss, labels, static_cast<double>(p->rss_kb) * bytes_per_kb);
    add_counter(cpu_total, std::move(labels), cpu_seconds(*p, hz));
  }
  out.push_back(std::move(rss));
  out.push_back(std::move(cpu_total));
}

}  // namespace

double cpu_seconds(const procinfo::Process& p, std::uint32_t user_hz) noexcept {
  if (p.utime_ns && p.stime_ns) return static_cast<double>(*p.utime_ns + *p.stime_ns) / 1e9;
  return static_cast<double>(p.cpu_ticks) / static_cast<double>(user_hz ? user_hz : 100);
}

std::map<ContainerCpuLedger::Key, double> ContainerCpuLedger::update(
    const std::vector<Sample>& samples) {
  std::map<Key, Container> next;
  for (const Sample& s : samples)
    next[*s.key].last[{s.pid, s.start_time_ns}] = s.cpu_seconds;
  std::map<Key, double> totals;
  for (auto& [key, now] : next) {
    if (const auto old = containers_.find(key); old != containers_.end()) {
      now.departed = old->second.departed;
      for (const auto& [process, seconds] : old->second.last)
        if (!now.last.contains(process)) now.departed += seconds;
    }
    double total = now.departed;
    for (const auto& [process, seconds] : now.last) total += seconds;
    totals.emplace(key, total);
  }
  containers_ = std::move(next);  // containers without processes are forgotten
  return totals;
}

std::vector<MetricFamily> snapshot_families(const procinfo::Snapshot& s, std::size_t top_n,
                                            ContainerCpuLedger& ledger) {
  std::vector<MetricFamily> out;
  const std::uint32_t hz = ticks_per_second(s);

  auto total = family("procinfo_memory_total_bytes", "Usable RAM of the host (MemTotal).",
                      MetricType::Gauge);
  add_gauge(total, {}, static_cast<double>(s.mem_total_kb) * bytes_per_kb);
  out.push_back(std::move(total));
  auto free = family("procinfo_memory_free_bytes", "Free RAM of the host (MemFree).",
                     MetricType::Gauge);
  add_gauge(free, {}, static_cast<double>(s.mem_free_kb) * bytes_per_kb);
  out.push_back(std::move(free));

  // Every state letter, zero included, so that a state's series does not
  // come and go; a letter this list does not know is added as it appears.
  std::map<char, std::uint64_t> states;
  for (const char c : procinfo::process_states) states[c] = 0;
  std::uint64_t threads = 0;
  bool has_threads = !s.processes.empty();
  for (const procinfo::Process& p : s.processes) {
    // A letter from a newer kernel is shown as it is; a byte that is not a
    // printable letter cannot be a label value.
    states[p.state > ' ' && p.state < 0x7f ? p.state : '?'] += 1;
    if (p.nr_threads)
      threads += *p.nr_threads;
    else
      has_threads = false;
  }
  auto processes = family("procinfo_processes", "Processes (thread-group leaders) by state.",
                          MetricType::Gauge);
  for (const auto& [state, count] : states)
    add_gauge(processes, {{"state", std::string(1, state)}}, static_cast<double>(count));
  out.push_back(std::move(processes));
  if (has_threads) {
    auto f = family("procinfo_threads", "Threads of all the processes.", MetricType::Gauge);
    add_gauge(f, {}, static_cast<double>(threads));
    out.push_back(std::move(f));
  }

  add_containers(s, hz, ledger, out);
  if (top_n > 0) add_top_processes(s, top_n, hz, out);
  return out;
}

}  // namespace exporter
