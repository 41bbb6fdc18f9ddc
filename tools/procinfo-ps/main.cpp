// SPDX-License-Identifier: GPL-2.0 OR MIT
// procinfo-ps: lists processes from any procinfo source, like ps.
//
// Exit status: 0 processes listed, 1 no process matched, 2 usage or I/O
// error.

#include "../common/cli.hpp"
#include "../common/output.hpp"
#include "../common/regex.hpp"
#include "../common/run_main.hpp"
#include "../common/source.hpp"
#include "../common/terminal.hpp"
#include "columns.hpp"

#include <procinfo/procinfo.hpp>

#include <pwd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

constexpr const char* tool = "procinfo-ps";
constexpr int exit_ok = 0;
constexpr int exit_no_match = 1;
constexpr int exit_error = tools::exit_usage_or_io_error;

enum class Format { table, json_lines, csv };

struct Options {
  std::optional<procinfo::SourceSpec> source;  // nullopt: device, falling back to procfs
  bool containers = false;
  bool by_container = false;
  procinfo::ContainerRule rule = procinfo::ContainerRule::both;
  bool rule_given = false;
  std::vector<std::pair<const ps::Column*, bool>> sort;  // column, descending
  std::vector<std::uint32_t> pids;
  std::vector<std::uint32_t> uids;
  std::string states;
  std::optional<tools::Regex> name;
  std::optional<tools::Regex> cmd;
  Format format = Format::table;
  std::vector<const ps::Column*> columns;
  bool json = false;
  std::optional<std::string> save;  // "-": standard output
  bool header = true;
  std::optional<std::size_t> width;  // nullopt: detect; 0: unlimited
  bool width_given = false;
  bool forest = false;
  bool human = false;
  std::optional<double> interval;  // seconds
};

// ---- command line ------------------------------------------------------------

struct Args {
  std::string source;
  std::vector<std::string> sort;
  std::vector<std::string> pids;
  std::vector<std::string> users;
  std::vector<std::string> states;
  std::string name;
  std::string cmd;
  std::vector<std::string> format;
  std::string save;
  std::string width;
  std::string interval;
  std::string rule;
  bool by_container = false;
};

std::uint32_t parse_user(const std::string& text) {
  passwd pw{};
  passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (::getpwnam_r(text.c_str(), &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr)
    return found->pw_uid;
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos)
    return tools::parse_number<std::uint32_t>("--user", text, 0,
                                              std::numeric_limits<std::uint32_t>::max(), "a uid");
  throw tools::usage_error(fmt::format("--user: no user named '{}' (give a name or a uid)", text));
}

// Turns what CLI11 stored into Options; throws tools::usage_error.
Options finish(const Args& args, bool json, bool containers, bool no_header, bool forest,
               bool human, bool width_given) {
  Options o;
  o.json = json;
  o.containers = containers;
  o.by_container = args.by_container;
  if (!args.rule.empty()) {
    try {
      o.rule = procinfo::parse_container_rule(args.rule);
    } catch (const std::invalid_argument& e) {
      throw tools::usage_error(fmt::format("--rule: {}", e.what()));
    }
    o.rule_given = true;
    if (!o.containers && !o.by_container)
      throw tools::usage_error(
          "--rule picks which processes count as container processes: use it with --containers "
          "or --by-container");
  }
  if (o.by_container) {
    const auto refuse = [](bool given, std::string_view option) {
      if (given)
        throw tools::usage_error(fmt::format(
            "--by-container prints one row per container with columns of its own; {} does not "
            "apply to it",
            option));
    };
    refuse(!args.format.empty(), "-o/--format");
    refuse(!args.sort.empty(), "--sort");
    refuse(forest, "--forest");
    refuse(!args.interval.empty(), "--interval");
  }
  o.header = !no_header;
  o.forest = forest;
  o.human = human;
  if (!args.source.empty()) {
    try {
      o.source = procinfo::SourceSpec::parse(args.source);
    } catch (const std::invalid_argument& e) {
      throw tools::usage_error(fmt::format("--source: {}", e.what()));
    }
  }
  for (const std::string& list : args.sort)
    for (std::string key : tools::split_list(list)) {
      bool descending = false;
      if (key.front() == '-' || key.front() == '+') {
        descending = key.front() == '-';
        key.erase(0, 1);
      }
      const ps::Column* c = ps::find_column(key);
      if (!c)
        throw tools::usage_error(fmt::format(
            "--sort: unknown sort key '{}'; use {}, with '-' in front for descending order", key,
            ps::column_keys()));
      o.sort.emplace_back(c, descending);
    }
  for (const std::string& list : args.pids)
    for (const std::string& pid : tools::split_list(list))
      o.pids.push_back(tools::parse_number<std::uint32_t>(
          "--pid", pid, 1, std::numeric_limits<std::uint32_t>::max(), "a pid"));
  for (const std::string& list : args.users)
    for (const std::string& user : tools::split_list(list)) o.uids.push_back(parse_user(user));
  for (const std::string& list : args.states)
    for (const char c : list) {
      if (c == ',' || c == ' ') continue;
      if (procinfo::process_states.find(c) == std::string_view::npos)
        throw tools::usage_error(
            fmt::format("--state: '{}' is not a state; states are R S D T t X Z P I", c));
      o.states += c;
    }
  if (!args.name.empty()) o.name.emplace(args.name, "--name");
  if (!args.cmd.empty()) o.cmd.emplace(args.cmd, "--cmd");

  std::vector<std::string> items;
  for (const std::string& f : args.format)
    for (std::string& item : tools::split_list(f)) items.push_back(std::move(item));
  if (items.size() == 1 && (items[0] == "json-lines" || items[0] == "csv" || items[0] == "table")) {
    o.format = items[0] == "csv" ? Format::csv : items[0] == "table" ? Format::table : Format::json_lines;
    items.clear();
  }
  for (const std::string& item : items) {
    if (item == "json-lines" || item == "csv" || item == "table")
      throw tools::usage_error(fmt::format("--format: '{}' is a format of its own, not a column", item));
    const ps::Column* c = ps::find_column(item);
    if (!c)
      throw tools::usage_error(fmt::format(
          "--format: unknown column '{}'; use {} (or json-lines, csv)", item, ps::column_keys()));
    o.columns.push_back(c);
  }
  if (o.columns.empty() && o.containers)
    for (const auto key :
         {"pid", "runtime", "container", "state", "mem", "vsz", "rss", "time", "name", "cmd"})
      o.columns.push_back(ps::find_column(key));
  if (o.columns.empty())
    for (const auto key : {"pid", "state", "mem", "vsz", "rss", "time", "name", "cmd"})
      o.columns.push_back(ps::find_column(key));

  if (!args.save.empty()) {
    std::string path = args.save;
    // The source form of a snapshot file names the file.
    if (path.starts_with("file:")) path.erase(0, 5);
    if (path.empty()) throw tools::usage_error("--save: give a file name (or - for standard output)");
    o.save = path;
  }
  if (width_given)
    o.width = tools::parse_number<std::size_t>("--width", args.width, 0, 65535,
                                               "a number of columns");
  o.width_given = width_given;
  if (!args.interval.empty()) {
    double s = 0;
    const auto [end, ec] =
        std::from_chars(args.interval.data(), args.interval.data() + args.interval.size(), s);
    if (ec != std::errc() || end != args.interval.data() + args.interval.size() || !(s > 0) ||
        s > 3600)
      throw tools::usage_error(fmt::format(
          "--interval: '{}' is not a number of seconds above 0 and at most 3600", args.interval));
    o.interval = s;
  }

  const bool to_stdout_save = o.save && *o.save == "-";
  if (to_stdout_save && (o.json || o.format != Format::table))
    throw tools::usage_error("--save - writes the snapshot to standard output; it cannot also "
                             "take --json or --format output");
  if (o.json && o.format != Format::table)
    throw tools::usage_error("--json and --format json-lines/csv are two outputs; choose one");
  return o;
}

// ---- reading -----------------------------------------------------------------

// Reads the snapshot: from the source given, else the device, falling back
// to procfs with a note on standard error.
procinfo::Snapshot read(const Options& o, procinfo::View view, bool quiet_fallback) {
  if (o.source) return procinfo::read_snapshot(*o.source, view);
  const auto device = procinfo::SourceSpec::parse("device");
  try {
    return procinfo::read_snapshot(device, view);
  } catch (const std::exception& e) {
    if (!tools::falls_back(e)) throw;
    if (!quiet_fallback)
      fmt::print(stderr, "{}: note: {}; reading procfs (/proc) instead (--source procfs skips "
                         "the device)\n",
                 tool, e.what());
  }
  return procinfo::read_snapshot(procinfo::SourceSpec::parse("procfs"), view);
}

// ---- selection ---------------------------------------------------------------

bool selected(const procinfo::Process& p, const Options& o) {
  if (!o.pids.empty() && std::find(o.pids.begin(), o.pids.end(), p.pid) == o.pids.end()) return false;
  if (!o.uids.empty() && (!p.uid || std::find(o.uids.begin(), o.uids.end(), *p.uid) == o.uids.end()))
    return false;
  if (!o.states.empty() && o.states.find(p.state) == std::string::npos) return false;
  if (o.name && !o.name->search(p.name)) return false;
  if (o.cmd && !o.cmd->search(p.cmdline)) return false;
  return true;
}

// Throws usage_error when an option needs a member the source does not
// provide (the JSON files carry no uid, ppid, ...).
void check_source_has(const procinfo::Snapshot& s, const Options& o) {
  if (s.processes.empty()) return;
  const procinfo::Process& p = s.processes.front();
  const auto need = [&](bool has, std::string_view option, std::string_view what) {
    if (!has)
      throw tools::usage_error(fmt::format(
          "{} needs {}, which the source {} does not report; use --source device or procfs",
          option, what, s.source));
  };
  if (!o.uids.empty()) need(p.uid.has_value(), "--user", "user ids");
  if (o.forest) need(p.ppid.has_value(), "--forest", "parent pids");
}

std::optional<std::size_t> output_width(const Options& o);

// Keeps the processes the container rule selects. The device and procfs
// report why each process is a container process, so any rule can be
// applied here; the JSON files carry no reasons and list by continfo's own
// rule= parameter.
void apply_rule(procinfo::Snapshot& s, const Options& o) {
  if (procinfo::SourceSpec::parse(s.source).kind == procinfo::SourceSpec::Kind::json) {
    if (o.rule_given)
      throw tools::usage_error(fmt::format(
          "--rule: the source {} lists container processes by continfo's own rule (see "
          "/sys/module/continfo/parameters/rule); use --source device or procfs to choose one",
          s.source));
    return;
  }
  bool unknown = false;
  std::erase_if(s.processes, [&](const procinfo::Process& p) {
    const auto in = procinfo::is_container(p, o.rule);
    unknown |= !in.has_value();
    return !in.value_or(false);
  });
  if (unknown)
    throw tools::usage_error(fmt::format(
        "--rule {} needs the container identity, which the source {} does not report (a driver "
        "before ABI 2.1, or saved JSON data); use --source procfs",
        procinfo::to_string(o.rule), s.source));
}

// ---- containers --------------------------------------------------------------

// The processes of one container.
struct Container {
  procinfo::Runtime runtime = procinfo::Runtime::none;
  std::string id;
  std::string pod_uid;
  std::vector<const procinfo::Process*> processes;  // by ascending pid
  std::uint64_t cpu_ticks = 0;
  std::uint64_t rss_kb = 0;
};

// One entry per (runtime, container id) among the processes, ordered by
// runtime, then id. Processes in no container's cgroup are in none.
std::vector<Container> group_by_container(const procinfo::Snapshot& s) {
  std::map<std::pair<std::uint8_t, std::string>, Container> by_id;
  for (const procinfo::Process& p : s.processes) {
    if (!p.container_id || p.container_id->empty()) continue;
    const auto runtime = p.runtime.value_or(procinfo::Runtime::none);
    Container& c = by_id[{static_cast<std::uint8_t>(runtime), *p.container_id}];
    c.runtime = runtime;
    c.id = *p.container_id;
    if (c.pod_uid.empty() && p.pod_uid) c.pod_uid = *p.pod_uid;
    c.processes.push_back(&p);
    c.cpu_ticks += p.cpu_ticks;
    c.rss_kb += p.rss_kb;
  }
  std::vector<Container> out;
  out.reserve(by_id.size());
  for (auto& [key, c] : by_id) out.push_back(std::move(c));
  return out;
}

std::string containers_json(const std::vector<Container>& list) {
  std::string out = "[";
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Container& c = list[i];
    out += i ? ",\n  {" : "\n  {";
    out += "\"runtime\": ";
    const std::string_view runtime = procinfo::to_string(c.runtime);
    if (runtime.empty())
      out += "null";
    else
      out += procinfo::json_string(runtime);
    out += ", \"container_id\": ";
    out += procinfo::json_string(c.id);
    out += ", \"pod_uid\": ";
    if (c.pod_uid.empty())
      out += "null";
    else
      out += procinfo::json_string(c.pod_uid);
    out += ", \"pids\": [";
    for (std::size_t k = 0; k < c.processes.size(); ++k)
      out += fmt::format("{}{}", k ? ", " : "", c.processes[k]->pid);
    out += fmt::format("], \"cpu_ticks\": {}, \"rss_kb\": {}}}", c.cpu_ticks, c.rss_kb);
  }
  out += list.empty() ? "]\n" : "\n]\n";
  return out;
}

std::string containers_table(const std::vector<Container>& list, const Options& o, long hz) {
  struct Col {
    std::string_view header;
    bool right;
  };
  static constexpr Col cols[] = {{"RUNTIME", false}, {"CONTAINER", false}, {"POD", false},
                                 {"PROCS", true},    {"TIME", true},       {"RSS", true},
                                 {"NAME", false}};
  constexpr std::size_t n = std::size(cols);
  std::vector<std::array<std::string, n>> cells;
  for (const Container& c : list) {
    const std::string_view runtime = procinfo::to_string(c.runtime);
    cells.push_back({runtime.empty() ? std::string("-") : std::string(runtime),
                     tools::printable(tools::short_id(c.id)),
                     c.pod_uid.empty() ? std::string("-") : tools::printable(c.pod_uid),
                     fmt::format("{}", c.processes.size()),
                     tools::format_duration(c.cpu_ticks / static_cast<std::uint64_t>(hz)),
                     tools::format_kb(c.rss_kb, o.human),
                     tools::printable(c.processes.front()->name)});
  }
  std::array<std::size_t, n> widths{};
  for (std::size_t k = 0; k < n; ++k) {
    widths[k] = o.header ? cols[k].header.size() : 0;
    for (const auto& line : cells) widths[k] = std::max(widths[k], tools::display_width(line[k]));
  }
  const auto width = output_width(o);
  std::string out;
  const auto emit = [&](const auto& line) {
    std::string text;
    for (std::size_t k = 0; k < n; ++k) {
      const std::string_view cell = line[k];
      const std::string pad(widths[k] - tools::display_width(cell), ' ');
      if (cols[k].right) text += pad;
      text += cell;
      if (k + 1 < n) {
        if (!cols[k].right) text += pad;
        text += ' ';
      }
    }
    const std::string_view fitted =
        width ? tools::cut_to_width(text, *width) : std::string_view{text};
    out += fitted.substr(0, fitted.find_last_not_of(' ') + 1);
    out += '\n';
  };
  if (o.header) {
    std::array<std::string, n> head;
    for (std::size_t k = 0; k < n; ++k) head[k] = cols[k].header;
    emit(head);
  }
  for (const auto& line : cells) emit(line);
  return out;
}

// ---- %CPU --------------------------------------------------------------------

// %CPU of every process of now: over the interval since before when given
// (a process new since then: over its life), else over each process's life,
// as ps(1) computes it. Processes without the times it needs have none.
std::map<std::uint32_t, double> cpu_pct(const procinfo::Snapshot& now,
                                        const procinfo::Snapshot* before, long hz) {
  std::map<std::uint32_t, double> out;
  for (const procinfo::Process& p : now.processes) {
    const procinfo::Process* old = before ? before->find(p.pid) : nullptr;
    if (old && old->start_time_ns != p.start_time_ns) old = nullptr;  // pid reused
    double cpu_ns = 0;
    double wall_ns = 0;
    if (old && now.taken_at_boot && before->taken_at_boot) {
      // The driver's CPU time can read a tick low once (see
      // procinfo-compare(1)): never below zero.
      cpu_ns = std::max(0.0, static_cast<double>((tools::cpu_time(p, hz) - tools::cpu_time(*old, hz)).count()));
      wall_ns = static_cast<double>((*now.taken_at_boot - *before->taken_at_boot).count());
    } else if (const auto age = tools::elapsed(p, now)) {
      // As ps(1): over whole seconds of life, 0 in the first second.
      cpu_ns = static_cast<double>(tools::cpu_time(p, hz).count());
      wall_ns = static_cast<double>(age->count() / 1000000000) * 1e9;
    } else {
      continue;
    }
    out[p.pid] = wall_ns > 0 ? 100.0 * cpu_ns / wall_ns : 0.0;
  }
  return out;
}

// ---- ordering ----------------------------------------------------------------

using Rows = std::vector<const procinfo::Process*>;

void sort_rows(Rows& rows, const Options& o, ps::Context& ctx) {
  std::stable_sort(rows.begin(), rows.end(), [&](const auto* a, const auto* b) {
    for (const auto& [column, descending] : o.sort) {
      const ps::SortValue x = column->sort(*a, ctx);
      const ps::SortValue y = column->sort(*b, ctx);
      if (x != y) return descending ? y < x : x < y;
    }
    return a->pid < b->pid;
  });
}

// Orders rows as a tree: each process under its parent, siblings in the
// sort order; a process whose parent is not listed is a root. Returns the
// depth of each row.
std::vector<std::size_t> tree_order(Rows& rows) {
  std::set<std::uint32_t> listed;
  for (const auto* p : rows) listed.insert(p->pid);
  std::map<std::uint32_t, Rows> children;
  Rows roots;
  for (const auto* p : rows) {
    if (p->ppid && *p->ppid != p->pid && listed.count(*p->ppid))
      children[*p->ppid].push_back(p);
    else
      roots.push_back(p);
  }
  Rows ordered;
  std::vector<std::size_t> depth;
  std::set<std::uint32_t> seen;
  const std::function<void(const procinfo::Process*, std::size_t)> walk =
      [&](const procinfo::Process* p, std::size_t d) {
        if (!seen.insert(p->pid).second) return;
        ordered.push_back(p);
        depth.push_back(d);
        const auto it = children.find(p->pid);
        if (it != children.end())
          for (const auto* c : it->second) walk(c, d + 1);
      };
  for (const auto* r : roots) walk(r, 0);
  for (const auto* p : rows)  // a cycle of parents (never from one snapshot): listed flat
    if (!seen.count(p->pid)) walk(p, 0);
  rows = std::move(ordered);
  return depth;
}

// ---- output ------------------------------------------------------------------

// The columns to fit: --width, else the terminal on stdout, else $COLUMNS,
// else no limit.
std::optional<std::size_t> output_width(const Options& o) {
  if (o.width_given) return *o.width == 0 ? std::nullopt : o.width;
  const bool tty = isatty(STDOUT_FILENO) != 0;
  winsize ws{};
  if (tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  if (const char* env = std::getenv("COLUMNS"); env != nullptr) {
    std::size_t columns = 0;
    const std::string_view text{env};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), columns);
    if (ec == std::errc{} && end == text.data() + text.size() && columns > 0) return columns;
  }
  if (tty) return 80;
  return std::nullopt;
}

// A table whose columns are as wide as their widest cell, in display
// columns; each line cut to width so that it never wraps.
std::string table(const Rows& rows, const std::vector<std::size_t>* depth, const Options& o,
                  ps::Context& ctx) {
  const std::size_t n = o.columns.size();
  // --forest indents the command (or, without one, the name).
  std::size_t tree_col = n;
  for (std::size_t c = 0; c < n && depth; ++c)
    if (o.columns[c]->key == "cmd") tree_col = c;
  for (std::size_t c = 0; c < n && depth && tree_col == n; ++c)
    if (o.columns[c]->key == "name") tree_col = c;
  // Cells row by row in one array, each with its display width: measured once.
  std::vector<std::string> cells;
  std::vector<std::size_t> cell_widths;
  cells.reserve((rows.size() + 1) * n);
  cell_widths.reserve((rows.size() + 1) * n);
  std::vector<std::size_t> widths(n, 0);
  const auto add = [&](std::size_t c, std::string cell) {
    const std::size_t w = tools::display_width(cell);
    widths[c] = std::max(widths[c], w);
    cells.push_back(std::move(cell));
    cell_widths.push_back(w);
  };
  if (o.header)
    for (std::size_t c = 0; c < n; ++c) add(c, std::string(o.columns[c]->header));
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t c = 0; c < n; ++c) {
      std::string cell = o.columns[c]->cell(*rows[r], ctx);
      if (c == tree_col && (*depth)[r] > 0)
        cell = " " + std::string(4 * ((*depth)[r] - 1), ' ') + "\\_ " + cell;
      add(c, std::move(cell));
    }
  }
  const auto width = output_width(o);
  std::string out;
  std::string text;
  for (std::size_t first = 0; first < cells.size(); first += n) {
    text.clear();
    for (std::size_t c = 0; c < n; ++c) {
      const std::string& cell = cells[first + c];
      const std::size_t pad = widths[c] - cell_widths[first + c];
      if (c + 1 == n && !o.columns[c]->right_aligned) {
        text += cell;
        break;
      }
      if (o.columns[c]->right_aligned) {
        text.append(pad, ' ');
        text += cell;
      } else {
        text += cell;
        text.append(pad, ' ');
      }
      if (c + 1 < n) text += ' ';
    }
    const std::string_view fitted = width ? tools::cut_to_width(text, *width) : std::string_view{text};
    out += fitted.substr(0, fitted.find_last_not_of(' ') + 1);
    out += '\n';
  }
  return out;
}

std::string json_lines(const Rows& rows, ps::Context& ctx) {
  const auto& names = ps::record_fields();
  std::string out;
  for (const auto* p : rows) {
    const auto values = ps::record(*p, ctx);
    out += '{';
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (i) out += ", ";
      out += fmt::format("\"{}\": ", names[i]);
      const ps::Value& v = values[i];
      switch (v.kind) {
        case ps::Value::Kind::absent: out += "null"; break;
        case ps::Value::Kind::number: out += fmt::format("{}", v.number); break;
        case ps::Value::Kind::decimal: out += v.text; break;
        case ps::Value::Kind::boolean: out += v.boolean ? "true" : "false"; break;
        case ps::Value::Kind::text:
          out += procinfo::json_string(v.text);
          break;
        case ps::Value::Kind::list:
          out += '[';
          for (std::size_t k = 0; k < v.list.size(); ++k) {
            if (k) out += ", ";
            out += procinfo::json_string(v.list[k]);
          }
          out += ']';
          break;
      }
    }
    out += "}\n";
  }
  return out;
}

// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
void csv_field(std::string& out, std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += s;
    return;
  }
  out += '"';
  for (const char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string csv(const Rows& rows, ps::Context& ctx, bool header) {
  const auto& names = ps::record_fields();
  std::string out;
  if (header) out += fmt::format("{}\r\n", fmt::join(names, ","));
  for (const auto* p : rows) {
    const auto values = ps::record(*p, ctx);
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (i) out += ',';
      const ps::Value& v = values[i];
      switch (v.kind) {
        case ps::Value::Kind::absent: break;
        case ps::Value::Kind::number: out += fmt::format("{}", v.number); break;
        case ps::Value::Kind::decimal: out += v.text; break;
        case ps::Value::Kind::boolean: out += v.boolean ? "true" : "false"; break;
        case ps::Value::Kind::text: csv_field(out, procinfo::sanitize_utf8(v.text)); break;
        // one field: the names joined by '+' need no quoting
        case ps::Value::Kind::list:
          out += fmt::format("{}", fmt::join(v.list, "+"));
          break;
      }
    }
    out += "\r\n";
  }
  return out;
}

// ---- main --------------------------------------------------------------------

void add_options(CLI::App& app, Args& a, bool& json, bool& containers, bool& no_header,
                 bool& forest, bool& human, CLI::Option*& width) {
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  const auto all = CLI::MultiOptionPolicy::TakeAll;
  app.add_option("--source", a.source,
                 "where to read the processes from: json[:PATH], device[:PATH], procfs[:ROOT] or "
                 "file:PATH (default: device, else procfs)")
      ->type_name("SRC");
  app.add_flag("--containers", containers, "list container processes only (see --rule)");
  app.add_option("--rule", a.rule,
                 "which processes are container processes: keywords (command line), cgroup "
                 "(a runtime's cgroup or a pid namespace) or both (default)")
      ->type_name("RULE");
  app.add_flag("--by-container", a.by_container,
               "one row per container: runtime, id, pod, process count, CPU time, RSS, first "
               "process's name");
  app.add_option("-p,--pid", a.pids, "list only these pids")->type_name("PID[,PID...]")->multi_option_policy(all);
  app.add_option("-u,--user", a.users, "list only processes of these users (names or uids)")
      ->type_name("USER[,USER...]")
      ->multi_option_policy(all);
  app.add_option("--state", a.states, "list only processes in these states (e.g. RD)")
      ->type_name("LETTERS")
      ->multi_option_policy(all);
  app.add_option("--name", a.name, "list only processes whose name matches REGEX (extended, as pgrep)")
      ->type_name("REGEX");
  app.add_option("--cmd", a.cmd, "list only processes whose command line matches REGEX (extended)")
      ->type_name("REGEX");
  app.add_option("--sort", a.sort,
                 "sort by KEY[,KEY...], any column key; '-KEY' descending (default: pid)")
      ->type_name("KEY[,KEY...]")
      ->multi_option_policy(all);
  app.add_option("-o,--format", a.format,
                 "columns to show (" + ps::column_keys() +
                     "), or json-lines or csv for every field of every process")
      ->type_name("COLS|json-lines|csv")
      ->multi_option_policy(all);
  app.add_flag("--forest", forest, "show processes as a tree under their parents");
  app.add_flag("--human", human, "print VSZ and RSS with units (K, M, G)");
  app.add_option("--interval", a.interval,
                 "%CPU over SECONDS: read twice, SECONDS apart (default: over each process's life)")
      ->type_name("SECONDS");
  app.add_flag("--json", json, "print the processes as the /proc JSON document");
  app.add_option("--save", a.save,
                 "write the processes to FILE as a file: snapshot ('-': standard output) instead "
                 "of printing a table")
      ->type_name("FILE");
  app.add_flag("--no-header", no_header, "omit the header line");
  width = app.add_option("--width", a.width,
                         "fit lines to N columns, 0 for no limit (default: terminal width, else "
                         "$COLUMNS, else no limit)")
              ->type_name("N");
}

int run(int argc, char** argv) {
  CLI::App app{
      "Lists processes from a procinfo source, like ps. Exit status: 0 processes listed, "
      "1 none matched, 2 usage or I/O error.",
      tool};
  app.set_version_flag("--version", std::string(PROCINFO_VERSION_STRING));
  Args args;
  bool json = false;
  bool containers = false;
  bool no_header = false;
  bool forest = false;
  bool human = false;
  CLI::Option* width = nullptr;
  add_options(app, args, json, containers, no_header, forest, human, width);

  Options o;
  if (const auto status = tools::parse_command_line(app, argc, argv, tool, exit_error, [&] {
        o = finish(args, json, containers, no_header, forest, human, width->count() > 0);
      }))
    return *status;

  const procinfo::View view =
      o.containers || o.by_container ? procinfo::View::containers : procinfo::View::all;
  long hz = sysconf(_SC_CLK_TCK);
  if (hz <= 0) hz = 100;

  std::optional<procinfo::Snapshot> before;
  if (o.interval) {
    if (o.source && !o.source->is_live(view)) {
      fmt::print(stderr, "{}: --interval needs a live source; {} is saved data\n", tool,
                 o.source->to_string());
      return exit_error;
    }
    before = read(o, view, false);
    std::this_thread::sleep_for(std::chrono::duration<double>(*o.interval));
  }
  procinfo::Snapshot snapshot = read(o, view, o.interval.has_value());
  try {
    check_source_has(snapshot, o);
    if (view == procinfo::View::containers) {
      apply_rule(snapshot, o);
      if (before) apply_rule(*before, o);
    }
  } catch (const std::invalid_argument& e) {
    fmt::print(stderr, "{}: {}\n", tool, e.what());
    return exit_error;
  }
  std::erase_if(snapshot.processes, [&o](const procinfo::Process& p) { return !selected(p, o); });
  const int status = snapshot.processes.empty() ? exit_no_match : exit_ok;

  if (o.by_container) {
    if (o.save) {
      if (*o.save == "-") {
        tools::write_stdout(procinfo::encode_snapshot(snapshot), "snapshot");
        return status;
      }
      procinfo::save_snapshot(snapshot, *o.save);
    }
    const auto list = group_by_container(snapshot);
    if (list.empty() && !snapshot.processes.empty() && !snapshot.processes.front().container_id) {
      fmt::print(stderr,
                 "{}: --by-container needs container ids, which the source {} does not report "
                 "(a driver before ABI 2.1, or JSON data); use --source device or procfs\n",
                 tool, snapshot.source);
      return exit_error;
    }
    if (o.json)
      tools::write_stdout(containers_json(list), "JSON document");
    else
      tools::write_stdout(containers_table(list, o, hz), "table");
    return list.empty() ? exit_no_match : exit_ok;
  }

  if (o.save) {
    if (*o.save == "-")
      tools::write_stdout(procinfo::encode_snapshot(snapshot), "snapshot");
    else
      procinfo::save_snapshot(snapshot, *o.save);
  }
  if (o.json) {
    tools::write_stdout(procinfo::to_json(snapshot, o.containers), "JSON document");
    return status;
  }
  if (o.save && o.format == Format::table) return status;

  tools::UserNames users;
  ps::Context ctx;
  ctx.snapshot = &snapshot;
  ctx.ticks_per_second = hz;
  ctx.human = o.human;
  ctx.users = &users;
  // %CPU only where it is shown or sorted by (a map of every process).
  const bool wants_cpu =
      o.format != Format::table || o.interval ||
      std::any_of(o.columns.begin(), o.columns.end(), [](const auto* c) { return c->key == "cpu"; }) ||
      std::any_of(o.sort.begin(), o.sort.end(), [](const auto& k) { return k.first->key == "cpu"; });
  if (wants_cpu) ctx.cpu_pct = cpu_pct(snapshot, before ? &*before : nullptr, hz);

  Rows rows;
  rows.reserve(snapshot.processes.size());
  for (const auto& p : snapshot.processes) rows.push_back(&p);
  sort_rows(rows, o, ctx);
  std::vector<std::size_t> depth;
  if (o.forest) depth = tree_order(rows);

  switch (o.format) {
    case Format::table:
      tools::write_stdout(table(rows, o.forest ? &depth : nullptr, o, ctx), "table");
      break;
    case Format::json_lines: tools::write_stdout(json_lines(rows, ctx), "JSON lines"); break;
    case Format::csv: tools::write_stdout(csv(rows, ctx, o.header), "CSV"); break;
  }
  return status;
}

}  // namespace

int main(int argc, char** argv) { return tools::run_main(tool, run, argc, argv); }
