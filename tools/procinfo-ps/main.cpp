// SPDX-License-Identifier: GPL-2.0 OR MIT
// procinfo-ps: lists processes from any procinfo source, like ps.
//
// Exit status: 0 success, 2 usage or I/O error.

#include "../common/run_main.hpp"
#include "../common/terminal.hpp"

#include <procinfo/procinfo.hpp>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr const char* tool = "procinfo-ps";
constexpr int exit_ok = 0;
constexpr int exit_error = tools::exit_usage_or_io_error;

struct Options {
  std::string source;  // empty: device when /dev/procinfo exists, else procfs
  bool containers = false;
  std::vector<std::string> sort_keys;
  std::vector<std::uint32_t> pids;
  std::string name;
  bool json = false;
  std::string save;
  bool no_header = false;
  int width = -1;  // -1: detect; 0: unlimited
};

// ---- sorting ---------------------------------------------------------------

enum class Key : std::uint8_t { pid, name, state, mem, vsz, rss, time };

struct SortKey {
  Key key;
  bool descending;
};

constexpr std::array<std::pair<std::string_view, Key>, 7> key_names{{
    {"pid", Key::pid},
    {"name", Key::name},
    {"state", Key::state},
    {"mem", Key::mem},
    {"vsz", Key::vsz},
    {"rss", Key::rss},
    {"time", Key::time},
}};

// Parses "KEY" or "-KEY"; throws CLI::ValidationError naming the valid keys.
SortKey parse_sort_key(std::string_view text) {
  SortKey out{Key::pid, false};
  if (!text.empty() && text.front() == '-') {
    out.descending = true;
    text.remove_prefix(1);
  } else if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
  }
  for (const auto& [name, key] : key_names) {
    if (text == name) {
      out.key = key;
      return out;
    }
  }
  throw CLI::ValidationError(
      "--sort", fmt::format("unknown sort key '{}'; use pid, name, state, mem, vsz, rss or "
                            "time, with '-' in front for descending order",
                            text));
}

// Returns <0, 0, >0 as a orders before, with, after b under key.
int compare_by(const procinfo::Process& a, const procinfo::Process& b, Key key) {
  const auto three_way = [](const auto& x, const auto& y) { return x < y ? -1 : (y < x ? 1 : 0); };
  switch (key) {
    case Key::pid: return three_way(a.pid, b.pid);
    case Key::name: return three_way(a.name, b.name);
    case Key::state: return three_way(a.state, b.state);
    case Key::mem: return three_way(a.mem_pct_x100, b.mem_pct_x100);
    case Key::vsz: return three_way(a.vsz_kb, b.vsz_kb);
    case Key::rss: return three_way(a.rss_kb, b.rss_kb);
    case Key::time: return three_way(a.cpu_ticks, b.cpu_ticks);
  }
  return 0;
}

// Sorts by the keys in order, then by ascending pid.
void sort_processes(std::vector<const procinfo::Process*>& rows, const std::vector<SortKey>& keys) {
  std::stable_sort(rows.begin(), rows.end(), [&keys](const auto* a, const auto* b) {
    for (const SortKey& k : keys) {
      const int c = compare_by(*a, *b, k.key);
      if (c != 0) return k.descending ? c > 0 : c < 0;
    }
    return a->pid < b->pid;
  });
}

// ---- formatting ------------------------------------------------------------

// Formats CPU time as [[dd-]hh:]mm:ss.
std::string format_cpu_time(std::uint64_t ticks, long ticks_per_second) {
  std::uint64_t s = ticks / static_cast<std::uint64_t>(ticks_per_second);
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

// Returns the number of columns to fit, or nullopt for no limit: --width,
// else the terminal on stdout, else $COLUMNS, else no limit.
std::optional<std::size_t> output_width(int forced) {
  if (forced == 0) return std::nullopt;
  if (forced > 0) return static_cast<std::size_t>(forced);
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

constexpr std::size_t column_count = 8;
constexpr std::array<std::string_view, column_count> headers{"PID",  "STATE", "%MEM", "VSZ",
                                                             "RSS",  "TIME",  "NAME", "COMMAND"};
constexpr std::array<bool, column_count> right_aligned{true, false, true, true,
                                                       true, true,  false, false};

using Row = std::array<std::string, column_count>;

Row make_row(const procinfo::Process& p, long ticks_per_second) {
  std::string name = tools::printable(p.name);
  std::string command = p.cmdline.empty() ? "[" + name + "]" : tools::printable(p.cmdline);
  return {fmt::format("{}", p.pid),
          tools::printable(std::string(1, p.state)),
          procinfo::format_mem_pct(p.mem_pct_x100),
          fmt::format("{}", p.vsz_kb),
          fmt::format("{}", p.rss_kb),
          format_cpu_time(p.cpu_ticks, ticks_per_second),
          std::move(name),
          std::move(command)};
}

// Prints rows as a table whose columns are as wide as their widest cell; each
// line is cut to width so that it never wraps.
void print_table(const std::vector<Row>& rows, bool header, std::optional<std::size_t> width) {
  std::array<std::size_t, column_count> widths{};
  for (std::size_t c = 0; c < column_count; ++c) {
    widths[c] = header ? headers[c].size() : 0;
    for (const Row& row : rows) widths[c] = std::max(widths[c], tools::display_width(row[c]));
  }

  std::string out;
  const auto emit = [&](const auto& cells) {
    std::string line;
    for (std::size_t c = 0; c < column_count; ++c) {
      const std::string_view cell = cells[c];
      if (c + 1 == column_count) {
        line += cell;
        break;
      }
      const std::string pad(widths[c] - tools::display_width(cell), ' ');
      if (right_aligned[c]) {
        line += pad;
        line += cell;
      } else {
        line += cell;
        line += pad;
      }
      line += ' ';
    }
    const std::string_view fitted =
        width ? tools::cut_to_width(line, *width) : std::string_view{line};
    out += fitted.substr(0, fitted.find_last_not_of(' ') + 1);
    out += '\n';
  };
  if (header) emit(headers);
  for (const Row& row : rows) emit(row);
  std::fwrite(out.data(), 1, out.size(), stdout);
}

procinfo::SourceSpec default_source() {
  return procinfo::SourceSpec::parse(access("/dev/procinfo", F_OK) == 0 ? "device" : "procfs");
}

int run(int argc, char** argv) {
  CLI::App app{
      "Lists processes from a procinfo source, like ps. Sources: json[:PATH], device[:PATH], "
      "procfs[:ROOT], file:PATH; the default is device when /dev/procinfo exists, else procfs.",
      tool};
  app.set_version_flag("--version", std::string(PROCINFO_VERSION_STRING));
  Options options;
  app.add_option("--source", options.source, "where to read the processes from")
      ->type_name("SRC");
  app.add_flag("--containers", options.containers, "list container processes only");
  app.add_option("--sort", options.sort_keys,
                 "sort by KEY[,KEY...]: pid name state mem vsz rss time; '-KEY' descending "
                 "(default: pid)")
      ->delimiter(',')
      ->type_name("KEY");
  app.add_option("--pid", options.pids, "list only these pids")
      ->delimiter(',')
      ->type_name("PID");
  app.add_option("--name", options.name, "list only processes whose name contains SUBSTR")
      ->type_name("SUBSTR");
  app.add_flag("--json", options.json, "print the processes as the /proc JSON document");
  app.add_option("--save", options.save,
                 "write the processes to FILE as a file: snapshot instead of printing a table")
      ->type_name("FILE");
  app.add_flag("--no-header", options.no_header, "omit the header line");
  app.add_option("--width", options.width,
                 "fit lines to N columns, 0 for no limit (default: terminal width, else "
                 "$COLUMNS, else no limit)")
      ->type_name("N")
      ->check(CLI::Range(0, 65535));

  std::vector<SortKey> sort_keys;
  std::optional<procinfo::SourceSpec> source;
  try {
    app.parse(argc, argv);
    for (const std::string& key : options.sort_keys) sort_keys.push_back(parse_sort_key(key));
    if (!options.source.empty()) {
      try {
        source = procinfo::SourceSpec::parse(options.source);
      } catch (const std::invalid_argument& e) {
        throw CLI::ValidationError("--source", e.what());
      }
    }
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "{}: {}\nRun '{} --help' for usage.\n", tool, e.what(), tool);
    return exit_error;
  }
  if (!source) source = default_source();

  const procinfo::View view = options.containers ? procinfo::View::containers : procinfo::View::all;
  procinfo::Snapshot snapshot = procinfo::read_snapshot(*source, view);

  std::erase_if(snapshot.processes, [&options](const procinfo::Process& p) {
    if (!options.pids.empty() &&
        std::find(options.pids.begin(), options.pids.end(), p.pid) == options.pids.end()) {
      return true;
    }
    return !options.name.empty() && p.name.find(options.name) == std::string::npos;
  });

  if (!options.save.empty()) procinfo::save_snapshot(snapshot, options.save);
  if (options.json) {
    const std::string doc = procinfo::to_json(snapshot);
    std::fwrite(doc.data(), 1, doc.size(), stdout);
    if (!doc.empty() && doc.back() != '\n') std::fputc('\n', stdout);
    return exit_ok;
  }
  if (!options.save.empty()) return exit_ok;

  std::vector<const procinfo::Process*> order;
  order.reserve(snapshot.processes.size());
  for (const auto& p : snapshot.processes) order.push_back(&p);
  sort_processes(order, sort_keys);

  long ticks_per_second = sysconf(_SC_CLK_TCK);
  if (ticks_per_second <= 0) ticks_per_second = 100;
  std::vector<Row> rows;
  rows.reserve(order.size());
  for (const auto* p : order) rows.push_back(make_row(*p, ticks_per_second));
  print_table(rows, !options.no_header, output_width(options.width));
  return exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
  return tools::run_main(tool, "output", run, argc, argv);
}
