// SPDX-License-Identifier: GPL-2.0 OR MIT
// procinfo-top: a live view of the processes and containers of a procinfo
// source, on the terminal (ncurses) or as plain frames (-b).
#include "../common/cli.hpp"
#include "../common/run_main.hpp"
#include "../common/source.hpp"
#include "model.hpp"
#include "screen.hpp"

#include <procinfo/procinfo.hpp>

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace {

constexpr std::string_view tool = "procinfo-top";
constexpr int exit_error = tools::exit_usage_or_io_error;
constexpr double delay_min = 0.1;
constexpr double delay_max = 86400;
constexpr std::size_t width_min = 40;
constexpr std::size_t width_max = 100000;

struct Options {
  bool batch = false;
  std::size_t width = 0;               // batch: 0, not cut
  std::optional<procinfo::SourceSpec> source;
};

double parse_delay(const std::string& text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      !std::isfinite(value) || value < delay_min || value > delay_max)
    throw tools::usage_error(fmt::format("-d: '{}' is not a number of seconds from {:g} to {:g}",
                                         text, delay_min, delay_max));
  return value;
}

// The source given, or the first of device, JSON file and procfs that gives
// a snapshot (a note on standard error for each that does not), with its
// first snapshot.
top::Sampler open_source(const Options& o) {
  const procinfo::ReadOptions read_options{.view = procinfo::View::all, .cmdlines = true};
  const auto open = [&](const procinfo::SourceSpec& source) {
    procinfo::SnapshotReader reader(source, read_options);
    const auto start = std::chrono::steady_clock::now();
    procinfo::Snapshot first = reader.read();
    return top::Sampler(std::move(reader), std::move(first),
                        std::chrono::steady_clock::now() - start);
  };
  if (o.source) return open(*o.source);
  for (const std::string_view kind : {"device", "json"}) {
    const auto source = procinfo::SourceSpec::parse(kind);
    try {
      return open(source);
    } catch (const std::exception& e) {
      if (!tools::falls_back(e)) throw;
      fmt::print(stderr, "{}: note: {}: {}; trying the next source (--source chooses one)\n",
                 tool, source.to_string(), e.what());
    }
  }
  return open(procinfo::SourceSpec::parse("procfs"));
}

// Prints settings.frames frames (or until stopped), one each interval, the
// first at once, each line cut to width columns (0: not cut).
int run_batch(top::Sampler& sampler, top::Settings& settings, std::size_t width) {
  using Clock = std::chrono::steady_clock;
  const auto interval = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(settings.interval_s));
  auto next = Clock::now();
  for (std::uint64_t frame = 0; !settings.frames || frame < *settings.frames; ++frame) {
    if (frame > 0) {
      next += interval;
      std::this_thread::sleep_until(next);
      sampler.read();
    }
    std::string text = frame > 0 ? "\n" : "";
    text += top::batch_frame(sampler, settings, width);
    tools::write_stdout(text, "frame");
  }
  return 0;
}

int run(int argc, char** argv) {
  CLI::App app{
      "Shows the processes and containers of a procinfo source, refreshed every few seconds: "
      "on the terminal, or as plain frames with -b. Keys: h or ? in the view, or see "
      "procinfo-top(1). Exit status: 0 quit (q, SIGINT, SIGTERM) or frames printed, 2 usage "
      "error, the source or standard output failed.",
      std::string(tool)};
  app.set_version_flag("--version", std::string(PROCINFO_VERSION_STRING));
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  Options o;
  std::string count_text;
  std::string delay_text = "2";
  std::string width_text;
  std::string sort_text = "cpu";
  std::string source_text;
  std::string filter_text;
  bool reverse = false;
  bool full_command = false;
  bool containers = false;
  bool group = false;
  app.add_flag("-b,--batch", o.batch,
               "print plain frames to standard output instead of the terminal view");
  app.add_option("-n,--iterations", count_text,
                 "stop after COUNT frames (default: until stopped)")
      ->type_name("COUNT");
  app.add_option("-d,--delay", delay_text,
                 fmt::format("seconds between frames, fractions allowed, {:g} or more (default: 2)",
                             delay_min))
      ->type_name("SECONDS");
  app.add_option("-w,--width", width_text,
                 "batch: cut lines to N columns as a terminal that wide would (default: not cut)")
      ->type_name("N");
  app.add_option("-o,--sort", sort_text,
                 fmt::format("sort by a column: {} (default: cpu)", top::column_names()))
      ->type_name("KEY");
  app.add_flag("-R,--reverse", reverse, "sort the other way round");
  app.add_flag("-c,--full-command", full_command, "show command lines, not process names");
  app.add_flag("--containers", containers, "show container processes only");
  app.add_flag("--group", group, "one row per container, with its processes summed");
  app.add_option("--filter", filter_text,
                 "show the processes whose name or command line matches an extended regular "
                 "expression")
      ->type_name("REGEX");
  app.add_option("--source", source_text,
                 "where to read the processes from: device[:PATH], json[:PATH], procfs[:ROOT] or "
                 "file:PATH (default: device, else the JSON file, else procfs)")
      ->type_name("SRC");

  top::Settings settings;
  if (const auto status = tools::parse_command_line(app, argc, argv, tool, exit_error, [&] {
        if (!count_text.empty())
          settings.frames = tools::parse_number<std::uint64_t>("-n", count_text, 1, UINT64_MAX);
        settings.interval_s = parse_delay(delay_text);
        if (!width_text.empty()) {
          if (!o.batch) throw tools::usage_error("-w is for batch mode (-b); the view fits the terminal");
          o.width = tools::parse_number<std::size_t>("-w", width_text, width_min, width_max);
        }
        const auto key = top::parse_column(sort_text);
        if (!key)
          throw tools::usage_error(fmt::format("-o: '{}' is not a column; columns: {}", sort_text,
                                               top::column_names()));
        settings.view.sort = *key;
        settings.view.reverse = reverse;
        settings.view.full_command = full_command;
        settings.view.containers_only = containers;
        settings.view.grouped = group;
        if (!filter_text.empty()) settings.set_filter(tools::Regex(filter_text, "--filter"));
        if (!source_text.empty()) {
          try {
            o.source = procinfo::SourceSpec::parse(source_text);
          } catch (const std::invalid_argument& e) {
            throw tools::usage_error(fmt::format("--source: {}", e.what()));
          }
        }
        if (!o.batch && (::isatty(STDIN_FILENO) == 0 || ::isatty(STDOUT_FILENO) == 0))
          throw tools::usage_error(
              "the view needs a terminal on standard input and output; -b prints plain frames");
      }))
    return *status;

  top::Sampler sampler = open_source(o);
  if (o.batch) return run_batch(sampler, settings, o.width);
  return top::run_screen(sampler, settings);
}

}  // namespace

int main(int argc, char** argv) { return tools::run_main(tool, run, argc, argv); }
