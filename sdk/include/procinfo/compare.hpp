// SPDX-License-Identifier: GPL-2.0 OR MIT
// Comparing two snapshots of the same moment from different sources.
#pragma once

#include <procinfo/export.hpp>
#include <procinfo/model.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace procinfo {

enum class CompareMode : std::uint8_t {
  // Every field of every process equal, the same set of pids: for quiescent
  // systems and saved files. mem_total_kb must be equal; mem_free_kb is a
  // system-wide gauge that moves between any two reads (the reader's own
  // allocations move it), so a difference is reported as accepted, not as a
  // mismatch -- unless both snapshots have the same taken_at (two copies of
  // one read), where it must be equal too.
  strict,
  // For a live system: processes that appear or vanish between the reads, or
  // exec in between, are not mismatches; a counter must lie between the
  // values of a read before and a read after; any other changed value must
  // equal the value before or after. mem_free_kb may be anything up to
  // mem_total_kb (it falls and recovers between reads).
  live,
};

// One field of one process, as both sources saw it.
struct FieldDiff {
  std::uint32_t pid = 0;
  std::string name;       // the process name, for people
  std::string field;      // JSON key ("rss_kb") or model member ("ppid"); "presence" for a pid missing on one side
  std::string value_a;    // as text, as source A reported it ("absent" when missing)
  std::string value_b;
  std::string reason;     // why it is (or is not) a mismatch
  bool mismatch = false;  // false: a difference live mode accepted (kept for --verbose reports)
};

struct CompareReport {
  std::string source_a;
  std::string source_b;
  CompareMode mode = CompareMode::strict;
  std::size_t processes_compared = 0;
  std::vector<FieldDiff> diffs;  // sorted by pid, then field

  PROCINFO_API std::size_t mismatch_count() const noexcept;
  bool consistent() const noexcept { return mismatch_count() == 0; }
};

// Strict comparison of a and b; the memory totals are compared too
// (mem_free_kb only between copies of one read, see CompareMode::strict).
PROCINFO_API CompareReport compare_strict(const Snapshot& a, const Snapshot& b);

// Live comparison: a_before and a_after are reads of source A taken before
// and after b (the read under test). Fields both snapshots carry are compared;
// optional fields only where both have them.
PROCINFO_API CompareReport compare_live(const Snapshot& a_before, const Snapshot& b,
                                        const Snapshot& a_after);

}  // namespace procinfo
