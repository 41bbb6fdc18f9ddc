// SPDX-License-Identifier: GPL-2.0 OR MIT
// procinfo-compare: checks that two sources of process information agree.
//
// Exit status: 0 consistent, 1 inconsistent, 2 usage or I/O error.

#include "../common/run_main.hpp"
#include "../common/terminal.hpp"

#include <procinfo/procinfo.hpp>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr const char* tool = "procinfo-compare";

constexpr int exit_consistent = 0;
constexpr int exit_inconsistent = 1;
constexpr int exit_error = tools::exit_usage_or_io_error;

struct Options {
  std::vector<std::string> sources;
  std::string view;  // empty: "all" with two sources, both views without
  bool strict = false;
  bool json = false;
  bool verbose = false;
};

// One pair of sources to compare under one view.
struct Check {
  procinfo::SourceSpec a;
  procinfo::SourceSpec b;
  procinfo::View view;
};

// Reads the sources of one check and compares them. Live mode reads A before
// and after B so that compare_live() can bracket values that moved.
// Returns the spec as the text form with its default path filled in, as the
// report names it ("json" becomes "json:/proc/sysinfo_so1_202041390").
std::string describe(const procinfo::SourceSpec& spec, procinfo::View view) {
  procinfo::SourceSpec resolved = spec;
  resolved.path = spec.resolved_path(view);
  return resolved.to_string();
}

// The report names the sources as given on the command line (a file:
// snapshot remembers the source it was first read from).
procinfo::CompareReport run_check(const Check& check, bool strict) {
  procinfo::CompareReport report;
  if (strict) {
    const procinfo::Snapshot a = procinfo::read_snapshot(check.a, check.view);
    const procinfo::Snapshot b = procinfo::read_snapshot(check.b, check.view);
    report = procinfo::compare_strict(a, b);
  } else {
    const procinfo::Snapshot a_before = procinfo::read_snapshot(check.a, check.view);
    const procinfo::Snapshot b = procinfo::read_snapshot(check.b, check.view);
    const procinfo::Snapshot a_after = procinfo::read_snapshot(check.a, check.view);
    report = procinfo::compare_live(a_before, b, a_after);
  }
  report.source_a = describe(check.a, check.view);
  report.source_b = describe(check.b, check.view);
  return report;
}

// Builds the list of checks: the two sources given, or for every view the
// JSON file against the device and both against procfs.
std::vector<Check> plan_checks(const Options& options) {
  std::vector<procinfo::View> views;
  if (!options.view.empty()) {
    views.push_back(procinfo::parse_view(options.view));
  } else if (options.sources.empty()) {
    views = {procinfo::View::all, procinfo::View::containers};
  } else {
    views = {procinfo::View::all};
  }

  std::vector<Check> checks;
  for (const procinfo::View view : views) {
    if (!options.sources.empty()) {
      checks.push_back({procinfo::SourceSpec::parse(options.sources[0]),
                        procinfo::SourceSpec::parse(options.sources[1]), view});
      continue;
    }
    const auto json = procinfo::SourceSpec::parse("json");
    const auto device = procinfo::SourceSpec::parse("device");
    const auto procfs = procinfo::SourceSpec::parse("procfs");
    // procfs is the independent truth; it is read on both sides of the
    // source under test.
    checks.push_back({json, device, view});
    checks.push_back({procfs, json, view});
    checks.push_back({procfs, device, view});
  }
  return checks;
}

bool shown(const procinfo::FieldDiff& diff, bool verbose) { return diff.mismatch || verbose; }

void print_text(const std::vector<std::pair<Check, procinfo::CompareReport>>& results,
                bool verbose) {
  std::size_t total_mismatches = 0;
  std::size_t failed_checks = 0;
  for (const auto& [check, report] : results) {
    const std::size_t mismatches = report.mismatch_count();
    total_mismatches += mismatches;
    if (mismatches != 0) ++failed_checks;
    fmt::print("{} {} vs {} (view {}, {}): {} processes, {} mismatch{}\n",
               mismatches == 0 ? "ok  " : "FAIL", report.source_a, report.source_b,
               procinfo::to_string(check.view), procinfo::to_string(report.mode),
               report.processes_compared, mismatches, mismatches == 1 ? "" : "es");
    for (const auto& diff : report.diffs) {
      if (!shown(diff, verbose)) continue;
      // pid 0 carries the snapshot-wide values (memory totals).
      const std::string who = diff.pid == 0
                                  ? tools::printable(diff.name)
                                  : fmt::format("pid {} ({})", diff.pid, tools::printable(diff.name));
      fmt::print("  {} {}: {}: A={} B={}: {}\n", diff.mismatch ? "mismatch" : "accepted", who,
                 diff.field, tools::printable(diff.value_a), tools::printable(diff.value_b),
                 tools::printable(diff.reason));
    }
  }
  if (total_mismatches == 0) {
    fmt::print("consistent: {} comparison{}, no mismatches\n", results.size(),
               results.size() == 1 ? "" : "s");
  } else {
    fmt::print("INCONSISTENT: {} mismatch{} in {} of {} comparison{}\n", total_mismatches,
               total_mismatches == 1 ? "" : "es", failed_checks, results.size(),
               results.size() == 1 ? "" : "s");
  }
}

void append_string(std::string& out, std::string_view s) {
  procinfo::append_json_string(out, procinfo::sanitize_utf8(s));
}

// Prints every comparison as one JSON document: {"consistent": ..,
// "comparisons": [{source_a, source_b, view, mode, processes_compared,
// mismatches, diffs: [...]}]}. Accepted differences appear with --verbose.
void print_json(const std::vector<std::pair<Check, procinfo::CompareReport>>& results,
                bool verbose) {
  bool consistent = true;
  std::string out = "{\n  \"comparisons\": [";
  bool first_check = true;
  for (const auto& [check, report] : results) {
    consistent = consistent && report.consistent();
    out += first_check ? "\n    {" : ",\n    {";
    first_check = false;
    out += "\"source_a\": ";
    append_string(out, report.source_a);
    out += ", \"source_b\": ";
    append_string(out, report.source_b);
    out += fmt::format(
        ", \"view\": \"{}\", \"mode\": \"{}\", \"processes_compared\": {}, \"mismatches\": {}, "
        "\"diffs\": [",
        procinfo::to_string(check.view), procinfo::to_string(report.mode), report.processes_compared,
        report.mismatch_count());
    bool first_diff = true;
    for (const auto& diff : report.diffs) {
      if (!shown(diff, verbose)) continue;
      out += first_diff ? "\n      {" : ",\n      {";
      first_diff = false;
      out += fmt::format("\"pid\": {}, \"name\": ", diff.pid);
      append_string(out, diff.name);
      out += ", \"field\": ";
      append_string(out, diff.field);
      out += ", \"value_a\": ";
      append_string(out, diff.value_a);
      out += ", \"value_b\": ";
      append_string(out, diff.value_b);
      out += ", \"reason\": ";
      append_string(out, diff.reason);
      out += fmt::format(", \"mismatch\": {}}}", diff.mismatch);
    }
    out += first_diff ? "]}" : "\n    ]}";
  }
  out += first_check ? "],\n" : "\n  ],\n";
  out += fmt::format("  \"consistent\": {}\n}}\n", consistent);
  fmt::print("{}", out);
}

int run(int argc, char** argv) {
  CLI::App app{
      "Checks that two sources of process information agree. Sources: json[:PATH], "
      "device[:PATH], procfs[:ROOT], file:PATH. Without sources, compares the JSON "
      "files with the device and both with procfs, for both views.",
      tool};
  app.set_version_flag("--version", std::string(PROCINFO_VERSION_STRING));
  Options options;
  std::string source_a;
  std::string source_b;
  app.add_option("SRC_A", source_a, "the reference source; in live mode read before and after B")
      ->type_name("");
  app.add_option("SRC_B", source_b, "the source under test")->type_name("");
  app.add_option("--view", options.view,
                 "which processes: all or containers (default: all with two sources, both "
                 "views without)")
      ->check(CLI::IsMember({"all", "containers"}));
  app.add_flag("--strict", options.strict,
               "every field must be equal (quiescent systems, saved files); default is live "
               "mode, which tolerates processes that start, exit or change between reads");
  app.add_flag("--json", options.json, "print the report as JSON");
  app.add_flag("--verbose", options.verbose,
               "also list the differences live mode accepted, and why");

  try {
    app.parse(argc, argv);
    if (!source_a.empty() && source_b.empty()) {
      throw CLI::ValidationError("SRC_B", "give two sources or none");
    }
    if (!source_a.empty()) options.sources = {source_a, source_b};
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "{}: {}\nRun '{} --help' for usage.\n", tool, e.what(), tool);
    return exit_error;
  }

  std::vector<Check> checks;
  try {
    checks = plan_checks(options);
  } catch (const std::invalid_argument& e) {
    fmt::print(stderr, "{}: {}\n", tool, e.what());
    return exit_error;
  }

  std::vector<std::pair<Check, procinfo::CompareReport>> results;
  results.reserve(checks.size());
  for (const Check& check : checks) {
    results.emplace_back(check, run_check(check, options.strict));
  }

  if (options.json) {
    print_json(results, options.verbose);
  } else {
    print_text(results, options.verbose);
  }
  for (const auto& result : results) {
    if (!result.second.consistent()) return exit_inconsistent;
  }
  return exit_consistent;
}

}  // namespace

int main(int argc, char** argv) {
  return tools::run_main(tool, "report", run, argc, argv);
}
