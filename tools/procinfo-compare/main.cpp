// SPDX-License-Identifier: GPL-2.0 OR MIT
// procinfo-compare: checks that two sources of process information agree.
//
// Exit status: 0 consistent, 1 inconsistent, 2 usage error or a source that
// cannot be read, 3 a source of the driver is unavailable (module not
// loaded) and --skip-unavailable was not given.

#include "../common/cli.hpp"
#include "../common/output.hpp"
#include "../common/regex.hpp"
#include "../common/run_main.hpp"
#include "../common/terminal.hpp"

#include <procinfo/procinfo.hpp>

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <exception>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr const char* tool = "procinfo-compare";
constexpr int json_schema_version = 1;

constexpr int exit_consistent = 0;
constexpr int exit_inconsistent = 1;
constexpr int exit_error = tools::exit_usage_or_io_error;
constexpr int exit_unavailable = 3;

struct Options {
  std::vector<std::string> sources;
  std::string view;  // empty: "all" with two sources, both views without
  bool strict = false;
  bool json = false;
  std::string junit;  // file for the JUnit XML report; "-": standard output
  bool verbose = false;
  bool skip_unavailable = false;
  bool include_self = false;
  std::vector<std::uint32_t> exclude_pids;
  std::vector<tools::Regex> exclude_names;
  std::vector<std::string> ignore_fields;
};

// One pair of sources to compare under one view, and how.
struct Check {
  procinfo::SourceSpec a;
  procinfo::SourceSpec b;
  procinfo::View view = procinfo::View::all;
  procinfo::CompareMode mode = procinfo::CompareMode::live;
  std::string mode_reason;
};

enum class Status { consistent, inconsistent, unavailable, skipped, error };

std::string_view to_string(Status s) {
  switch (s) {
    case Status::consistent: return "consistent";
    case Status::inconsistent: return "inconsistent";
    case Status::unavailable: return "unavailable";
    case Status::skipped: return "skipped";
    case Status::error: return "error";
  }
  return "error";
}

struct Result {
  Check check;
  Status status = Status::error;
  std::optional<procinfo::CompareReport> report;
  std::string error;  // unavailable, skipped, error: why
  std::chrono::nanoseconds duration{0};
};

// The spec as text with its default path filled in, as reports name it
// ("json" becomes "json:/proc/sysinfo_so1_202041390").
std::string describe(const procinfo::SourceSpec& spec, procinfo::View view) {
  procinfo::SourceSpec resolved = spec;
  resolved.path = spec.resolved_path(view);
  return resolved.to_string();
}

std::string plural(std::size_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

// RFC 3339 UTC with nanoseconds.
std::string rfc3339(std::chrono::system_clock::time_point t) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  const auto tt = static_cast<std::time_t>(ns / 1000000000);
  std::tm tm{};
  ::gmtime_r(&tt, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ns % 1000000000);
}

// ---- planning --------------------------------------------------------------

// Builds the list of checks: the two sources given, or for every view the
// JSON file against the device and both against procfs. Decides each
// check's mode from whether its sources are live; throws usage_error for a
// mix that cannot be compared.
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
  const auto add = [&checks](procinfo::SourceSpec a, procinfo::SourceSpec b, procinfo::View view) {
    Check c;
    c.a = std::move(a);
    c.b = std::move(b);
    c.view = view;
    checks.push_back(std::move(c));
  };
  for (const procinfo::View view : views) {
    if (!options.sources.empty()) {
      add(procinfo::SourceSpec::parse(options.sources[0]),
          procinfo::SourceSpec::parse(options.sources[1]), view);
    } else {
      const auto json = procinfo::SourceSpec::parse("json");
      const auto device = procinfo::SourceSpec::parse("device");
      const auto procfs = procinfo::SourceSpec::parse("procfs");
      // procfs is the independent truth; it is read on both sides of the
      // source under test.
      add(json, device, view);
      add(procfs, json, view);
      add(procfs, device, view);
    }
  }

  for (Check& c : checks) {
    const bool a_live = c.a.is_live(c.view);
    const bool b_live = c.b.is_live(c.view);
    const std::string a = describe(c.a, c.view);
    const std::string b = describe(c.b, c.view);
    if (!a_live && !b_live) {
      c.mode = procinfo::CompareMode::strict;
      c.mode_reason = options.strict ? "--strict" : "both sources are saved data: compared strictly";
    } else if (a_live != b_live) {
      const std::string& saved = a_live ? b : a;
      const std::string& live = a_live ? a : b;
      throw tools::usage_error(fmt::format(
          "{} is saved data and {} is live: a saved snapshot cannot be checked against the "
          "running system (every process that ran since it was saved differs). Compare two "
          "live sources, or save the live one too (procinfo-ps --source SRC --save FILE) and "
          "compare the two files",
          saved, live));
    } else if (options.strict) {
      throw tools::usage_error(fmt::format(
          "--strict compares saved data, and {} is live: two reads of a running system are "
          "never equal field by field (the reader itself and kernel threads run between them). "
          "Leave out --strict for live mode, or save both sources first (procinfo-ps --source "
          "SRC --save FILE) and compare the files",
          a_live ? a : b));
    } else {
      c.mode = procinfo::CompareMode::live;
      c.mode_reason = "both sources are live: A is read before and after B";
    }
  }
  return checks;
}

// ---- running ---------------------------------------------------------------

procinfo::CompareOptions compare_options(const Options& options, bool live) {
  procinfo::CompareOptions out;
  out.ignore_fields = options.ignore_fields;
  std::vector<std::uint32_t> pids = options.exclude_pids;
  if (live && !options.include_self) pids.push_back(static_cast<std::uint32_t>(::getpid()));
  const auto* names = &options.exclude_names;
  if (!pids.empty() || !names->empty())
    out.exclude = [pids, names](const procinfo::Process& p) {
      if (std::find(pids.begin(), pids.end(), p.pid) != pids.end()) return true;
      return std::any_of(names->begin(), names->end(),
                         [&p](const tools::Regex& re) { return re.search(p.name); });
    };
  return out;
}

// Reads the sources of one check and compares them. Live mode reads A before
// and after B so that compare_live() can bracket values that moved.
Result run_check(const Check& check, const Options& options) {
  Result result;
  result.check = check;
  const auto start = std::chrono::steady_clock::now();
  try {
    procinfo::CompareReport report;
    const auto cmp = compare_options(options, check.mode == procinfo::CompareMode::live);
    if (check.mode == procinfo::CompareMode::strict) {
      const procinfo::Snapshot a = procinfo::read_snapshot(check.a, check.view);
      const procinfo::Snapshot b = procinfo::read_snapshot(check.b, check.view);
      report = procinfo::compare_strict(a, b, cmp);
    } else {
      const procinfo::Snapshot a_before = procinfo::read_snapshot(check.a, check.view);
      const procinfo::Snapshot b = procinfo::read_snapshot(check.b, check.view);
      const procinfo::Snapshot a_after = procinfo::read_snapshot(check.a, check.view);
      report = procinfo::compare_live(a_before, b, a_after, cmp);
    }
    // The report names the sources as given (a file: snapshot remembers the
    // source it was first read from).
    report.source_a = describe(check.a, check.view);
    report.source_b = describe(check.b, check.view);
    result.status = report.consistent() ? Status::consistent : Status::inconsistent;
    result.report = std::move(report);
  } catch (const procinfo::SourceUnavailable& e) {
    result.status = options.skip_unavailable ? Status::skipped : Status::unavailable;
    result.error = e.what();
  } catch (const std::exception& e) {
    result.status = Status::error;
    result.error = e.what();
  }
  result.duration = std::chrono::steady_clock::now() - start;
  return result;
}

// 1 if any mismatch, else 2 if a comparison could not be made, else 3 if a
// source was unavailable (and not skipped), else 0.
int exit_status(const std::vector<Result>& results) {
  const auto any = [&](Status s) {
    return std::any_of(results.begin(), results.end(), [s](const Result& r) { return r.status == s; });
  };
  if (any(Status::inconsistent)) return exit_inconsistent;
  if (any(Status::error)) return exit_error;
  if (any(Status::unavailable)) return exit_unavailable;
  return exit_consistent;
}

// ---- text report -------------------------------------------------------------

std::string exclusions_text(const Options& options, bool any_live) {
  std::vector<std::string> parts;
  if (any_live && !options.include_self)
    parts.push_back(fmt::format("pid {} ({} itself)", ::getpid(), tool));
  if (!options.exclude_pids.empty())
    parts.push_back(fmt::format("pid{} {}", options.exclude_pids.size() == 1 ? "" : "s",
                                fmt::join(options.exclude_pids, ",")));
  for (const auto& re : options.exclude_names)
    parts.push_back(fmt::format("names matching /{}/", tools::printable(re.pattern())));
  std::string out;
  if (!parts.empty()) out += fmt::format("excluded: {}\n", fmt::join(parts, ", "));
  if (!options.ignore_fields.empty())
    out += fmt::format("ignored fields: {}\n", fmt::join(options.ignore_fields, ", "));
  return out;
}

std::string text_report(const std::vector<Result>& results, const Options& options) {
  const bool any_live = std::any_of(results.begin(), results.end(), [](const Result& r) {
    return r.check.mode == procinfo::CompareMode::live;
  });
  std::string out = exclusions_text(options, any_live);
  std::size_t mismatches = 0;
  std::size_t failed = 0;
  std::size_t errors = 0;
  std::size_t unavailable = 0;
  std::size_t skipped = 0;
  for (const Result& r : results) {
    const std::string a = describe(r.check.a, r.check.view);
    const std::string b = describe(r.check.b, r.check.view);
    const std::string what = fmt::format("{} vs {} (view {}, {})", a, b,
                                         procinfo::to_string(r.check.view),
                                         procinfo::to_string(r.check.mode));
    if (!r.report) {
      const std::string_view label = r.status == Status::skipped       ? "SKIP"
                                     : r.status == Status::unavailable ? "UNAVAILABLE"
                                                                       : "ERROR";
      out += fmt::format("{} {}: {}\n", label, what, tools::printable(r.error));
      errors += r.status == Status::error ? 1 : 0;
      unavailable += r.status == Status::unavailable ? 1 : 0;
      skipped += r.status == Status::skipped ? 1 : 0;
      continue;
    }
    const procinfo::CompareReport& report = *r.report;
    const std::size_t n = report.mismatch_count();
    mismatches += n;
    failed += n ? 1 : 0;
    out += fmt::format("{} {}: {}, {}\n", n == 0 ? "ok  " : "FAIL", what,
                       plural(report.processes_compared, "process", "processes"),
                       n == 0 ? std::string("no mismatches") : plural(n, "mismatch", "mismatches"));
    for (const auto& diff : report.diffs) {
      if (!diff.mismatch && !options.verbose) continue;
      // pid 0 carries the snapshot-wide values (memory totals, view).
      const std::string who = diff.pid == 0 ? tools::printable(diff.name)
                                            : fmt::format("pid {} ({})", diff.pid,
                                                          tools::printable(diff.name));
      out += fmt::format("  {} {}: {}: A={} B={}: {}\n", diff.mismatch ? "mismatch" : "accepted",
                         who, diff.field, tools::printable(diff.value_a),
                         tools::printable(diff.value_b), tools::printable(diff.reason));
    }
  }
  const std::string total = plural(results.size(), "comparison", "comparisons");
  const std::string err_part = fmt::format("{} could not be made", errors);
  const std::string unavail_part = fmt::format(
      "{} unavailable (a module is not loaded; --skip-unavailable accepts that)", unavailable);
  const std::string skip_part = fmt::format("{} skipped (source unavailable)", skipped);
  // The other outcomes, after the main one.
  const auto rest = [&](bool with_errors, bool with_unavailable) {
    std::string tail;
    if (with_errors && errors) tail += "; " + err_part;
    if (with_unavailable && unavailable) tail += "; " + unavail_part;
    if (skipped) tail += "; " + skip_part;
    return tail;
  };
  if (mismatches)
    out += fmt::format("INCONSISTENT: {} in {} of {}{}\n",
                       plural(mismatches, "mismatch", "mismatches"), failed, total, rest(true, true));
  else if (errors)
    out += fmt::format("ERROR: {} of {} could not be made{}\n", errors, total, rest(false, true));
  else if (unavailable)
    out += fmt::format("UNAVAILABLE: {} of {}: a module is not loaded (--skip-unavailable accepts "
                       "that){}\n",
                       unavailable, total, rest(false, false));
  else
    out += fmt::format("consistent: {}, no mismatches{}\n", total, rest(false, false));
  return out;
}

// ---- JSON report -------------------------------------------------------------

void append_string(std::string& out, std::string_view s) {
  out += procinfo::json_string(s);
}

std::string json_strings(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    append_string(out, items[i]);
  }
  return out + "]";
}

// The one JSON object procinfo-compare prints with --json, errors included
// (schema in procinfo-compare(1), "JSON REPORT").
std::string json_report(const std::vector<Result>& results, const Options* options,
                        std::chrono::system_clock::time_point started, int status,
                        const std::string& error) {
  std::string out = fmt::format(
      "{{\n  \"schema_version\": {},\n  \"tool\": \"{}\",\n  \"tool_version\": \"{}\",\n"
      "  \"started_at\": \"{}\",\n  \"finished_at\": \"{}\",\n",
      json_schema_version, tool, PROCINFO_VERSION_STRING, rfc3339(started),
      rfc3339(std::chrono::system_clock::now()));
  out += "  \"exclusions\": ";
  if (options) {
    const bool any_live = std::any_of(results.begin(), results.end(), [](const Result& r) {
      return r.check.mode == procinfo::CompareMode::live;
    });
    out += fmt::format("{{\"self_pid\": {}, \"pids\": [{}], \"name_regex\": [",
                       any_live && !options->include_self ? fmt::format("{}", ::getpid()) : "null",
                       fmt::join(options->exclude_pids, ", "));
    for (std::size_t i = 0; i < options->exclude_names.size(); ++i) {
      if (i) out += ", ";
      append_string(out, options->exclude_names[i].pattern());
    }
    out += fmt::format("], \"ignored_fields\": {}}},\n", json_strings(options->ignore_fields));
  } else {
    out += "null,\n";
  }
  std::size_t counts[5] = {};
  std::size_t mismatches = 0;
  out += "  \"comparisons\": [";
  for (std::size_t i = 0; i < results.size(); ++i) {
    const Result& r = results[i];
    ++counts[static_cast<int>(r.status)];
    out += i ? ",\n    " : "\n    ";
    out += fmt::format("{{\"status\": \"{}\", \"mode_reason\": ", to_string(r.status));
    append_string(out, r.check.mode_reason);
    out += fmt::format(", \"duration_ns\": {}, ", r.duration.count());
    if (r.report) {
      mismatches += r.report->mismatch_count();
      const std::string body = procinfo::to_json(*r.report, options && options->verbose);
      out += body.substr(1);  // the report's members, in this object
    } else {
      out += "\"source_a\": ";
      append_string(out, describe(r.check.a, r.check.view));
      out += ", \"source_b\": ";
      append_string(out, describe(r.check.b, r.check.view));
      out += fmt::format(", \"view\": \"{}\", \"mode\": \"{}\", \"error\": ",
                         procinfo::to_string(r.check.view), procinfo::to_string(r.check.mode));
      append_string(out, r.error);
      out += "}";
    }
  }
  out += results.empty() ? "],\n" : "\n  ],\n";
  out += fmt::format(
      "  \"summary\": {{\"comparisons\": {}, \"consistent\": {}, \"inconsistent\": {}, "
      "\"unavailable\": {}, \"skipped\": {}, \"errors\": {}, \"mismatches\": {}}},\n",
      results.size(), counts[0], counts[1], counts[2], counts[3], counts[4], mismatches);
  out += fmt::format("  \"consistent\": {},\n  \"exit_status\": {},\n  \"error\": ",
                     status == exit_consistent, status);
  if (error.empty())
    out += "null";
  else
    append_string(out, error);
  out += "\n}\n";
  return out;
}

// ---- JUnit XML -----------------------------------------------------------------

// Escapes s for XML 1.0 text and attributes; characters XML cannot carry
// at all (control characters) become '?'.
std::string xml(std::string_view s) {
  const std::string clean = procinfo::sanitize_utf8(s);
  std::string out;
  out.reserve(clean.size());
  for (const char c : clean) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\n':
      case '\t': out += c; break;
      default:
        out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c;
    }
  }
  return out;
}

double seconds(std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1e9; }

// JUnit XML: one test suite per view, one test case per pair of sources.
std::string junit_report(const std::vector<Result>& results, const Options& options,
                         std::chrono::system_clock::time_point started, const std::string& error) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  std::size_t failures = 0;
  std::size_t errors = error.empty() ? 0 : 1;
  std::size_t skipped = 0;
  std::chrono::nanoseconds total{0};
  for (const Result& r : results) {
    failures += r.status == Status::inconsistent ? 1 : 0;
    errors += r.status == Status::error || r.status == Status::unavailable ? 1 : 0;
    skipped += r.status == Status::skipped ? 1 : 0;
    total += r.duration;
  }
  out += fmt::format(
      "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" "
      "time=\"{:.3f}\">\n",
      tool, results.size() + (error.empty() ? 0 : 1), failures, errors, skipped, seconds(total));
  if (!error.empty()) {
    out += fmt::format("  <testsuite name=\"{}\" tests=\"1\" failures=\"0\" errors=\"1\" skipped=\"0\" "
                       "timestamp=\"{}\">\n    <testcase classname=\"{}\" name=\"command line\">\n"
                       "      <error message=\"{}\" type=\"usage\"/>\n    </testcase>\n  </testsuite>\n",
                       tool, rfc3339(started), tool, xml(error));
  }
  for (const procinfo::View view : {procinfo::View::all, procinfo::View::containers}) {
    std::vector<const Result*> mine;
    for (const Result& r : results)
      if (r.check.view == view) mine.push_back(&r);
    if (mine.empty()) continue;
    std::size_t f = 0, e = 0, s = 0;
    std::chrono::nanoseconds t{0};
    for (const Result* r : mine) {
      f += r->status == Status::inconsistent ? 1 : 0;
      e += r->status == Status::error || r->status == Status::unavailable ? 1 : 0;
      s += r->status == Status::skipped ? 1 : 0;
      t += r->duration;
    }
    const std::string suite = fmt::format("{}.{}", tool, procinfo::to_string(view));
    out += fmt::format(
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" "
        "time=\"{:.3f}\" timestamp=\"{}\">\n",
        suite, mine.size(), f, e, s, seconds(t), rfc3339(started));
    for (const Result* r : mine) {
      const std::string name =
          fmt::format("{} vs {} ({})", describe(r->check.a, view), describe(r->check.b, view),
                      procinfo::to_string(r->check.mode));
      out += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\"", suite,
                         xml(name), seconds(r->duration));
      switch (r->status) {
        case Status::consistent: out += "/>\n"; continue;
        case Status::skipped:
          out += fmt::format(">\n      <skipped message=\"{}\"/>\n", xml(r->error));
          break;
        case Status::unavailable:
          out += fmt::format(">\n      <error message=\"{}\" type=\"unavailable\"/>\n", xml(r->error));
          break;
        case Status::error:
          out += fmt::format(">\n      <error message=\"{}\" type=\"error\"/>\n", xml(r->error));
          break;
        case Status::inconsistent: {
          const procinfo::CompareReport& report = *r->report;
          std::string body;
          for (const auto& d : report.diffs) {
            if (!d.mismatch && !options.verbose) continue;
            body += fmt::format("{} pid {} ({}): {}: A={} B={}: {}\n",
                                d.mismatch ? "mismatch" : "accepted", d.pid, d.name, d.field,
                                d.value_a, d.value_b, d.reason);
          }
          out += fmt::format(">\n      <failure message=\"{} of {} processes\" type=\"inconsistent\">{}</failure>\n",
                             plural(report.mismatch_count(), "mismatch", "mismatches"),
                             report.processes_compared, xml(body));
          break;
        }
      }
      out += "    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

// Writes the JUnit report to its file ("-": standard output).
void write_junit(const std::string& path, const std::string& xml_text) {
  if (path == "-")
    tools::write_stdout(xml_text, "JUnit report");
  else
    procinfo::save_file(path, xml_text);
}

// ---- command line --------------------------------------------------------------

struct Cli {
  Options options;
  std::string source_a;
  std::string source_b;
  std::vector<std::string> exclude_pid_args;
  std::vector<std::string> exclude_name_args;
  std::vector<std::string> ignore_field_args;
};

void add_options(CLI::App& app, Cli& cli) {
  Options& options = cli.options;
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.add_option("SRC_A", cli.source_a, "the reference source; in live mode read before and after B")
      ->type_name("");
  app.add_option("SRC_B", cli.source_b, "the source under test")->type_name("");
  app.add_option("--view", options.view,
                 "which processes: all or containers (default: all with two sources, both "
                 "views without)")
      ->type_name("VIEW");
  app.add_flag("--strict", options.strict,
               "every field must be equal; for saved data only (file:, JSON copies), which is "
               "compared strictly anyway");
  app.add_flag("--json", options.json, "print the report as one JSON object (errors included)");
  app.add_option("--junit", options.junit, "also write the report as JUnit XML to FILE ('-': "
                                            "standard output)")
      ->type_name("FILE");
  app.add_flag("--verbose", options.verbose, "also list the differences live mode accepted, and why");
  app.add_option("--exclude-pid", cli.exclude_pid_args, "leave out these pids (repeatable)")
      ->type_name("PID[,PID...]")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--exclude-name", cli.exclude_name_args,
                 "leave out processes whose name matches REGEX (extended, repeatable)")
      ->type_name("REGEX")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--ignore-field", cli.ignore_field_args, "do not compare FIELD (repeatable)")
      ->type_name("FIELD[,FIELD...]")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_flag("--include-self", options.include_self,
               "compare this process too (live mode leaves it out: it changes while it reads)");
  app.add_flag("--skip-unavailable", options.skip_unavailable,
               "a source whose module is not loaded skips its comparisons (exit 0) instead of "
               "exit status 3");
}

// Checks and converts what CLI11 stored; throws tools::usage_error.
void finish_options(Cli& cli) {
  Options& options = cli.options;
  if (!cli.source_a.empty() && cli.source_b.empty())
    throw tools::usage_error("give two sources, SRC_A and SRC_B, or none");
  if (!cli.source_a.empty()) options.sources = {cli.source_a, cli.source_b};
  if (!options.view.empty() && options.view != "all" && options.view != "containers")
    throw tools::usage_error(
        fmt::format("--view: '{}' is not a view; use all or containers", options.view));
  for (const std::string& arg : cli.exclude_pid_args)
    for (const std::string& pid : tools::split_list(arg))
      options.exclude_pids.push_back(tools::parse_number<std::uint32_t>(
          "--exclude-pid", pid, 1, std::numeric_limits<std::uint32_t>::max(), "a pid"));
  for (const std::string& re : cli.exclude_name_args) options.exclude_names.emplace_back(re, "--exclude-name");
  const auto known = procinfo::compared_fields();
  for (const std::string& arg : cli.ignore_field_args)
    for (const std::string& field : tools::split_list(arg)) {
      if (std::find(known.begin(), known.end(), field) == known.end())
        throw tools::usage_error(fmt::format("--ignore-field: '{}' is not a field; fields: {}",
                                             field, fmt::join(known, ", ")));
      options.ignore_fields.push_back(field);
    }
  if (options.json && options.junit == "-")
    throw tools::usage_error("--json and --junit - both want standard output; give --junit a file");
}

bool wants_json(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::string_view(argv[i]) == "--json") return true;
  return false;
}

int run(int argc, char** argv) {
  const auto started = std::chrono::system_clock::now();
  CLI::App app{
      "Checks that two sources of process information agree. Sources: json[:PATH], "
      "device[:PATH], procfs[:ROOT], file:PATH. Without sources, compares the JSON "
      "files with the device and both with procfs, for both views. Exit status: 0 "
      "consistent, 1 inconsistent, 2 usage error or unreadable source, 3 source unavailable.",
      tool};
  app.set_version_flag("--version", std::string(PROCINFO_VERSION_STRING));
  Cli cli;
  add_options(app, cli);
  const Options& options = cli.options;

  // A usage error: message on stderr, and the JSON / JUnit report when
  // asked for, so that CI always finds one.
  const auto usage = [&](const std::string& message) {
    tools::print_usage_error(tool, message);
    if (!options.junit.empty() && options.junit != "-")
      write_junit(options.junit, junit_report({}, options, started, message));
    if (options.json || wants_json(argc, argv))
      tools::write_stdout(json_report({}, nullptr, started, exit_error, message), "report");
    return exit_error;
  };

  std::vector<Check> checks;
  try {
    app.parse(argc, argv);
    finish_options(cli);
    checks = plan_checks(options);
  } catch (const CLI::Success& e) {
    return tools::print_help(app, e);
  } catch (const CLI::ParseError& e) {
    return usage(tools::describe(e));
  } catch (const std::invalid_argument& e) {  // tools::usage_error, bad sources, views, regexes
    return usage(e.what());
  }

  std::vector<Result> results;
  results.reserve(checks.size());
  for (const Check& check : checks) results.push_back(run_check(check, options));
  const int status = exit_status(results);
  // What could not be compared is also said on standard error, where a
  // person looks for it whatever the report's format.
  std::vector<std::string> said;
  for (const Result& r : results)
    if ((r.status == Status::error || r.status == Status::unavailable) &&
        std::find(said.begin(), said.end(), r.error) == said.end()) {
      fmt::print(stderr, "{}: {}\n", tool, r.error);
      said.push_back(r.error);
    }

  // Standard output first: when it fails, the JUnit file is still written.
  std::exception_ptr output_failure;
  try {
    if (options.json)
      tools::write_stdout(json_report(results, &options, started, status, ""), "report");
    else if (options.junit != "-")  // "--junit -": the XML is standard output's report
      tools::write_stdout(text_report(results, options), "report");
  } catch (const tools::output_error&) {
    output_failure = std::current_exception();
  }
  if (!options.junit.empty()) write_junit(options.junit, junit_report(results, options, started, ""));
  if (output_failure) std::rethrow_exception(output_failure);
  return status;
}

}  // namespace

int main(int argc, char** argv) { return tools::run_main(tool, run, argc, argv); }
