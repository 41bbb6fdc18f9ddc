// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "model.hpp"

#include "../common/terminal.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <map>
#include <tuple>
#include <utility>

namespace top {

namespace {

constexpr std::array<std::string_view, column_count> names = {
    "pid", "user", "state", "cpu", "rss", "vsz", "mem", "time", "container", "command"};
constexpr std::array<std::string_view, column_count> titles = {
    "PID", "USER", "S", "%CPU", "RSS", "VSZ", "%MEM", "TIME+", "CONTAINER", "COMMAND"};

// Widths of the columns before CONTAINER, each followed by one space.
constexpr std::size_t pid_width = 7;
constexpr std::size_t cpu_width = 6;
constexpr std::size_t size_width = 6;
constexpr std::size_t mem_width = 5;
constexpr std::size_t time_width = 9;
// The fewest columns the command keeps on a terminal: below this the
// container column shows the short id alone.
constexpr std::size_t command_min = 12;
constexpr std::size_t short_container = 12;

long ticks_per_second(const procinfo::Snapshot& s) {
  if (s.user_hz && *s.user_hz > 0) return static_cast<long>(*s.user_hz);
  const long hz = ::sysconf(_SC_CLK_TCK);
  return hz > 0 ? hz : 100;
}

// Wall time from a to b: by CLOCK_BOOTTIME where both have it (the clock of
// the start times, which no clock setting moves), else by the wall clock.
Nanos wall_between(const procinfo::Snapshot& a, const procinfo::Snapshot& b) {
  if (a.taken_at_boot && b.taken_at_boot) return *b.taken_at_boot - *a.taken_at_boot;
  return std::chrono::duration_cast<Nanos>(b.taken_at - a.taken_at);
}

double percent(Nanos cpu, Nanos wall) {
  return static_cast<double>(cpu.count()) * 100.0 / static_cast<double>(wall.count());
}

std::string container_of(const procinfo::Process& p) {
  if (!p.container_id || p.container_id->empty()) return {};
  const std::string_view runtime = p.runtime ? procinfo::to_string(*p.runtime) : "";
  const std::string id = tools::printable(tools::short_id(*p.container_id));
  return runtime.empty() ? id : fmt::format("{}:{}", runtime, id);
}

std::string group_key_of(const procinfo::Process& p) {
  if (!in_container(p)) return {};
  const std::string_view runtime = p.runtime ? procinfo::to_string(*p.runtime) : "";
  return fmt::format("{}\n{}\n{}", runtime, p.container_id.value_or(""), p.pod_uid.value_or(""));
}

// The text the COMMAND column shows for a process.
std::string command_text(const procinfo::Process& p, bool full) {
  return full ? tools::command_cell(p) : tools::printable(p.name);
}

// -1, 0 or 1: a before b in the column's natural order (numbers that grow
// with use, largest first; names and ids, alphabetically).
int compare(const Row& a, const Row& b, Column c, bool full_command) {
  const auto cmp = [](const auto& x, const auto& y) { return x < y ? -1 : (y < x ? 1 : 0); };
  const auto text = [&](const Row& r) -> std::string_view {
    if (r.process == nullptr) return r.group_key;
    return full_command ? r.process->cmdline : r.process->name;
  };
  switch (c) {
    case Column::pid: return cmp(a.pid, b.pid);
    case Column::user: return cmp(a.user, b.user);
    case Column::state: return cmp(a.state, b.state);
    case Column::cpu: return -cmp(a.cpu_pct.value_or(-1.0), b.cpu_pct.value_or(-1.0));
    case Column::rss:
    case Column::mem: return -cmp(a.rss_kb, b.rss_kb);
    case Column::vsz: return -cmp(a.vsz_kb, b.vsz_kb);
    case Column::time: return -cmp(a.cpu_time, b.cpu_time);
    case Column::container: return cmp(a.container, b.container);
    case Column::command: return cmp(text(a), text(b));
  }
  return 0;
}

void sort_rows(std::vector<Row>& rows, const ViewOptions& view) {
  std::sort(rows.begin(), rows.end(), [&](const Row& a, const Row& b) {
    int c = compare(a, b, view.sort, view.full_command);
    if (view.reverse) c = -c;
    if (c != 0) return c < 0;
    return std::tie(a.pid, a.group_key) < std::tie(b.pid, b.group_key);
  });
}

std::string pad_left(std::string_view s, std::size_t w) {
  const std::size_t dw = tools::display_width(s);
  return dw >= w ? std::string(s) : std::string(w - dw, ' ') + std::string(s);
}

std::string pad_right(std::string_view s, std::size_t w) {
  const std::size_t dw = tools::display_width(s);
  return dw >= w ? std::string(s) : std::string(s) + std::string(w - dw, ' ');
}

// s in at most w columns: cut, with '+' as its last column when it was longer.
std::string fit(std::string_view s, std::size_t w) {
  if (tools::display_width(s) <= w) return std::string(s);
  if (w == 0) return {};
  return std::string(tools::cut_to_width(s, w - 1)) + "+";
}

std::string cut(std::string_view s, std::size_t width) {
  return width == 0 ? std::string(s) : std::string(tools::cut_to_width(s, width));
}

std::string kb(std::uint64_t v) { return tools::format_kb(v, true); }

}  // namespace

std::optional<Column> parse_column(std::string_view name) {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<Column>(i);
  return std::nullopt;
}

std::string_view column_name(Column c) noexcept { return names[static_cast<std::size_t>(c)]; }

std::string column_names() { return fmt::format("{}", fmt::join(names, ", ")); }

bool in_container(const procinfo::Process& p) {
  return procinfo::is_container(p) || (p.container_id && !p.container_id->empty());
}

std::vector<std::optional<double>> cpu_percent(const procinfo::Snapshot* prev,
                                               const procinfo::Snapshot& cur) {
  const long hz = ticks_per_second(cur);
  const long prev_hz = prev != nullptr ? ticks_per_second(*prev) : hz;
  const Nanos wall = prev != nullptr ? wall_between(*prev, cur) : Nanos(0);
  std::vector<std::optional<double>> out;
  out.reserve(cur.processes.size());
  for (const procinfo::Process& p : cur.processes) {
    const Nanos used = tools::cpu_time(p, hz);
    const procinfo::Process* before = wall > Nanos(0) ? prev->find(p.pid) : nullptr;
    if (before != nullptr && before->start_time_ns == p.start_time_ns) {
      const Nanos used_before = tools::cpu_time(*before, prev_hz);
      out.emplace_back(percent(used > used_before ? used - used_before : Nanos(0), wall));
      continue;
    }
    // First seen: over its life.
    const auto life = tools::elapsed(p, cur);
    if (life && *life > Nanos(0))
      out.emplace_back(percent(used, *life));
    else
      out.emplace_back(std::nullopt);
  }
  return out;
}

std::vector<Row> build_rows(const procinfo::Snapshot& cur,
                            const std::vector<std::optional<double>>& cpu,
                            const ViewOptions& view, tools::UserNames& users) {
  const long hz = ticks_per_second(cur);
  std::vector<Row> rows;
  rows.reserve(cur.processes.size());
  for (std::size_t i = 0; i < cur.processes.size(); ++i) {
    const procinfo::Process& p = cur.processes[i];
    const bool contained = in_container(p);
    if ((view.containers_only || view.grouped) && !contained) continue;
    if (view.filter != nullptr && !view.filter->search(p.name) &&
        !view.filter->search(p.cmdline))
      continue;
    Row r;
    r.pid = p.pid;
    r.process = &p;
    r.user = p.uid ? users.name(*p.uid) : "-";
    r.state = p.state;
    r.cpu_pct = i < cpu.size() ? cpu[i] : std::nullopt;
    r.rss_kb = p.rss_kb;
    r.vsz_kb = p.vsz_kb;
    r.mem_pct_x100 = p.mem_pct_x100;
    r.cpu_time = tools::cpu_time(p, hz);
    r.container = container_of(p);
    r.group_key = group_key_of(p);
    rows.push_back(std::move(r));
  }
  if (!view.grouped) {
    sort_rows(rows, view);
    return rows;
  }

  // One row per container, summing its processes; the processes of an
  // expanded one below it, sorted alike.
  std::map<std::string, Row> groups;
  std::map<std::string, std::vector<Row>> members;
  for (Row& r : rows) {
    auto [it, fresh] = groups.try_emplace(r.group_key);
    Row& g = it->second;
    if (fresh) {
      g.is_group = true;
      g.group_key = r.group_key;
      g.pid = r.pid;  // the smallest: rows are in pid order here
      g.user = "-";
      g.state = '-';
      g.container = r.container;
      g.processes = 0;
    }
    ++g.processes;
    if (r.cpu_pct) g.cpu_pct = g.cpu_pct.value_or(0.0) + *r.cpu_pct;
    g.rss_kb += r.rss_kb;
    g.vsz_kb += r.vsz_kb;
    g.mem_pct_x100 += r.mem_pct_x100;
    g.cpu_time += r.cpu_time;
    if (view.expanded.contains(r.group_key)) {
      r.member = true;
      members[r.group_key].push_back(std::move(r));
    }
  }
  std::vector<Row> group_rows;
  group_rows.reserve(groups.size());
  for (auto& [key, g] : groups) {
    g.expanded = view.expanded.contains(key);
    group_rows.push_back(std::move(g));
  }
  sort_rows(group_rows, view);
  std::vector<Row> out;
  for (Row& g : group_rows) {
    const std::string key = g.group_key;
    out.push_back(std::move(g));
    if (auto it = members.find(key); it != members.end()) {
      sort_rows(it->second, view);
      for (Row& m : it->second) out.push_back(std::move(m));
    }
  }
  return out;
}

Summary summarize(const procinfo::Snapshot& cur) {
  Summary s;
  s.processes = cur.processes.size();
  std::set<std::string> containers;
  std::uint64_t threads = 0;
  bool all_threads = true;
  for (const procinfo::Process& p : cur.processes) {
    const auto at = procinfo::process_states.find(p.state);
    ++s.by_state[at == std::string_view::npos ? procinfo::process_states.size() : at];
    if (p.nr_threads)
      threads += *p.nr_threads;
    else
      all_threads = false;
    if (in_container(p)) {
      ++s.container_processes;
      containers.insert(group_key_of(p));
    }
  }
  if (all_threads) s.threads = threads;
  s.containers = containers.size();
  return s;
}

std::vector<std::string> header_lines(const procinfo::Snapshot& cur, const Summary& summary,
                                      const HeaderInfo& info, std::size_t width) {
  const std::time_t now = std::chrono::system_clock::to_time_t(cur.taken_at);
  std::tm tm{};
  ::localtime_r(&now, &tm);
  const auto ms = [](Nanos t) { return static_cast<double>(t.count()) / 1e6; };
  std::string line1 = fmt::format(
      "procinfo-top {:02}:{:02}:{:02}  source {}  refresh {:g} s  snapshot {:.1f} ms  frame "
      "{:.1f} ms",
      tm.tm_hour, tm.tm_min, tm.tm_sec, tools::printable(info.source), info.interval_s,
      ms(info.read_time), ms(info.frame_time));

  static constexpr std::array<std::string_view, procinfo::process_states.size()> state_names = {
      "running", "sleeping", "disk wait", "stopped", "traced", "dead", "zombie", "parked", "idle"};
  std::string line2 = fmt::format("Processes: {} total", summary.processes);
  for (std::size_t i = 0; i < state_names.size(); ++i)
    if (summary.by_state[i] > 0 || i < 2)
      line2 += fmt::format(", {} {}", summary.by_state[i], state_names[i]);
  if (summary.by_state[state_names.size()] > 0)
    line2 += fmt::format(", {} other", summary.by_state[state_names.size()]);
  line2 += summary.threads ? fmt::format("; threads: {}", *summary.threads) : "; threads: -";

  std::string line3 = fmt::format("Mem: {} total, {} free, {} used; containers: {} ({} processes)",
                                  kb(cur.mem_total_kb), kb(cur.mem_free_kb), kb(cur.mem_used_kb()),
                                  summary.containers, summary.container_processes);
  if (info.view != nullptr) {
    const ViewOptions& v = *info.view;
    line3 += fmt::format("; sort {}{}", column_name(v.sort), v.reverse ? " reversed" : "");
    if (v.grouped)
      line3 += ", grouped";
    else if (v.containers_only)
      line3 += ", containers only";
    if (v.filter != nullptr) line3 += fmt::format(", filter /{}/", tools::printable(v.filter->pattern()));
  }
  return {cut(line1, width), cut(line2, width), cut(line3, width)};
}

Layout layout_for(std::size_t width, const std::vector<Row>& rows, std::size_t first,
                  std::size_t count) {
  Layout l;
  l.width = width;
  std::size_t widest = titles[static_cast<std::size_t>(Column::container)].size();
  for (std::size_t i = first; i < rows.size() && i < first + count; ++i)
    widest = std::max(widest, tools::display_width(rows[i].container));
  l.container = widest;
  if (width == 0) return l;
  const std::size_t fixed = pid_width + 1 + l.user + 1 + 1 + 1 + cpu_width + 1 + size_width + 1 +
                            size_width + 1 + mem_width + 1 + time_width + 1;
  const std::size_t room = width > fixed + 1 + command_min ? width - fixed - 1 - command_min : 0;
  l.container = std::min(widest, std::max(room, short_container));
  return l;
}

std::string table_header(const Layout& l) {
  const auto t = [](Column c) { return titles[static_cast<std::size_t>(c)]; };
  std::string line = fmt::format(
      "{} {} {} {} {} {} {} {} {} {}", pad_left(t(Column::pid), pid_width),
      pad_right(t(Column::user), l.user), t(Column::state), pad_left(t(Column::cpu), cpu_width),
      pad_left(t(Column::rss), size_width), pad_left(t(Column::vsz), size_width),
      pad_left(t(Column::mem), mem_width), pad_left(t(Column::time), time_width),
      pad_right(t(Column::container), l.container), t(Column::command));
  return cut(line, l.width);
}

Sampler::Sampler(procinfo::SnapshotReader reader, procinfo::Snapshot first, Nanos read_time)
    : reader_(std::move(reader)),
      read_time_(read_time),
      current_(std::move(first)),
      cpu_(cpu_percent(nullptr, current_)) {}

void Sampler::read() {
  const auto start = std::chrono::steady_clock::now();
  procinfo::Snapshot next = reader_.read();
  read_time_ = std::chrono::steady_clock::now() - start;
  previous_ = std::move(current_);
  current_ = std::move(next);
  cpu_ = cpu_percent(&*previous_, current_);
}

std::string format_time_plus(Nanos t) {
  const auto cs = static_cast<std::uint64_t>(t.count() / 10000000);
  return fmt::format("{}:{:02}.{:02}", cs / 6000, cs / 100 % 60, cs % 100);
}

std::string table_line(const Row& r, const Layout& l, const ViewOptions& view) {
  std::string pid;
  std::string command;
  if (r.is_group) {
    pid = r.expanded ? "[-]" : "[+]";
    command = fmt::format("{} process{}", r.processes, r.processes == 1 ? "" : "es");
    const auto pod = r.group_key.substr(r.group_key.rfind('\n') + 1);
    if (!pod.empty()) command += fmt::format(" in pod {}", tools::printable(pod));
    if (r.container.empty()) command += " without a container id";
  } else {
    pid = fmt::format("{}", r.pid);
    command = (r.member ? "  " : "") + command_text(*r.process, view.full_command);
  }
  std::string container = r.container.empty() ? "-" : r.container;
  if (tools::display_width(container) > l.container) {
    // Too narrow for runtime:id: the id says more.
    const auto colon = container.find(':');
    if (colon != std::string::npos) container.erase(0, colon + 1);
    container = fit(container, l.container);
  }
  std::string line = fmt::format(
      "{} {} {} {} {} {} {} {} {} {}", pad_left(pid, pid_width),
      pad_right(fit(tools::printable(r.user), l.user), l.user), tools::printable(std::string(1, r.state)),
      pad_left(r.cpu_pct ? fmt::format("{:.1f}", *r.cpu_pct) : "-", cpu_width),
      pad_left(kb(r.rss_kb), size_width), pad_left(kb(r.vsz_kb), size_width),
      pad_left(procinfo::format_mem_pct(static_cast<std::uint32_t>(
                   std::min<std::uint64_t>(r.mem_pct_x100, UINT32_MAX))),
               mem_width),
      pad_left(format_time_plus(r.cpu_time), time_width), pad_right(container, l.container),
      command);
  return cut(line, l.width);
}

std::string batch_frame(const Sampler& sampler, Settings& settings, std::size_t width) {
  const auto start = std::chrono::steady_clock::now();
  const procinfo::Snapshot& cur = sampler.current();
  const std::vector<Row> rows = build_rows(cur, sampler.cpu(), settings.view, settings.users);
  const Layout layout = layout_for(width, rows, 0, rows.size());
  std::string table = table_header(layout);
  table += '\n';
  for (const Row& r : rows) {
    table += table_line(r, layout, settings.view);
    table += '\n';
  }
  const HeaderInfo info{.source = sampler.source().to_string(),
                        .read_time = sampler.read_time(),
                        .interval_s = settings.interval_s,
                        .frame_time = std::chrono::steady_clock::now() - start,
                        .view = &settings.view};
  std::string out;
  for (const std::string& line : header_lines(cur, summarize(cur), info, width)) {
    out += line;
    out += '\n';
  }
  return out + table;
}

}  // namespace top
