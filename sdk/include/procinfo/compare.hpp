// SPDX-License-Identifier: GPL-2.0 OR MIT
// Comparing snapshots of one moment from different sources.
#pragma once

#include <procinfo/export.hpp>
#include <procinfo/model.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace procinfo {

enum class CompareMode : std::uint8_t {
  // Every field of every process equal, the same set of pids: for saved
  // snapshots (file:, JSON copies). mem_total_kb must be equal; mem_free_kb
  // is a system-wide gauge that moves between any two reads, so a
  // difference is reported as accepted -- unless both snapshots have the
  // same taken_at (two copies of one read), where it must be equal too.
  strict,
  // For a live system, A read before and after B: processes that appear,
  // vanish or exec between the reads are not mismatches; every other value
  // must be one the process can have had at B's read. The rules, field by
  // field, are in procinfo-compare(1) ("LIVE MODE RULES").
  live,
};

PROCINFO_API std::string_view to_string(CompareMode mode) noexcept;

// One value of a field as one read reported it.
struct FieldValue {
  bool present = false;                 // false: not in that read (pid absent, field not provided)
  std::optional<std::uint64_t> number;  // numeric fields (mem_pct: hundredths; start_time_ns: ns)
  std::string text;                     // as people read it ("0.36" for mem_pct)
};

// One field of one process, as both sources saw it.
struct FieldDiff {
  std::uint32_t pid = 0;  // 0: a snapshot-wide value (memory totals, view)
  std::string name;       // the process name, for people
  std::string field;      // JSON key ("rss_kb") or model member ("ppid"); "presence" for a pid missing on one side
  std::string value_a;    // as text, as source A reported it ("absent" when missing; live: "X then Y" when A's reads differ)
  std::string value_b;
  std::string reason;     // why it is (or is not) a mismatch
  bool mismatch = false;  // false: a difference live mode accepted (kept for --verbose reports)
  FieldValue a;           // A's read (live: the earlier one)
  FieldValue a_after;     // live: A's later read; not present in strict mode
  FieldValue b;
};

// One read that went into a comparison.
struct ReadInfo {
  std::string source;
  std::chrono::system_clock::time_point taken_at;
  std::chrono::nanoseconds read_duration{0};
  std::size_t processes = 0;
};

// What to leave out of a comparison.
struct CompareOptions {
  // Processes to leave out (e.g. the comparing process itself): a pid for
  // which this returns true in any of the snapshots is left out of all.
  std::function<bool(const Process&)> exclude;
  // Fields not compared, by FieldDiff::field name (see compared_fields());
  // an unknown name makes the compare functions throw std::invalid_argument.
  std::vector<std::string> ignore_fields;
};

struct CompareReport {
  std::string source_a;
  std::string source_b;
  CompareMode mode = CompareMode::strict;
  View view = View::all;
  std::vector<ReadInfo> reads;  // strict: A, B; live: A, B, A again
  std::size_t processes_compared = 0;
  std::size_t processes_excluded = 0;
  std::vector<std::string> ignored_fields;
  std::vector<FieldDiff> diffs;  // sorted by pid, then field

  PROCINFO_API std::size_t mismatch_count() const noexcept;
  bool consistent() const noexcept { return mismatch_count() == 0; }
};

// The names of the per-process fields the compare functions check, sorted
// ("cmdline", "flags", ..., "vsz_kb"), plus the snapshot-wide
// "mem_total_kb" and "mem_free_kb".
PROCINFO_API std::vector<std::string_view> compared_fields();

// Strict comparison of a and b; the memory totals are compared too
// (mem_free_kb only between copies of one read, see CompareMode::strict).
// Snapshots of different views are not compared: the report holds one
// mismatch, field "view".
PROCINFO_API CompareReport compare_strict(const Snapshot& a, const Snapshot& b);
PROCINFO_API CompareReport compare_strict(const Snapshot& a, const Snapshot& b,
                                          const CompareOptions& options);

// Live comparison: a_before and a_after are reads of source A taken before
// and after b (the read under test). Fields both snapshots carry are compared;
// optional fields only where both have them.
PROCINFO_API CompareReport compare_live(const Snapshot& a_before, const Snapshot& b,
                                        const Snapshot& a_after);
PROCINFO_API CompareReport compare_live(const Snapshot& a_before, const Snapshot& b,
                                        const Snapshot& a_after, const CompareOptions& options);

// The report as one JSON object (schema in procinfo-compare(1), "JSON
// REPORT"): sources, view, mode, reads with their times, counts and the
// differences with numeric values as JSON numbers. Accepted differences are
// included only with_accepted.
PROCINFO_API std::string to_json(const CompareReport& report, bool with_accepted = true);

}  // namespace procinfo
