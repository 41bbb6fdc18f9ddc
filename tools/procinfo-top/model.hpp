// SPDX-License-Identifier: GPL-2.0 OR MIT
// What procinfo-top shows, apart from how it is drawn: the rows of a frame
// from two consecutive snapshots (CPU% over the interval between them),
// sorted, filtered and grouped by container, and the text of a frame's
// header and table for a given width.
#pragma once

#include "../common/regex.hpp"
#include "../common/process_text.hpp"

#include <procinfo/procinfo.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace top {

using Nanos = std::chrono::nanoseconds;

// The columns of the table, in their order on screen; < and > move the sort
// key along it.
enum class Column : std::uint8_t { pid, user, state, cpu, rss, vsz, mem, time, container, command };
inline constexpr std::size_t column_count = 10;

// The name -o takes for the column ("pid", "cpu", ...); nullopt for none.
std::optional<Column> parse_column(std::string_view name);
std::string_view column_name(Column c) noexcept;
// "pid, user, state, cpu, rss, vsz, mem, time, container, command".
std::string column_names();

// How the rows are chosen and ordered.
struct ViewOptions {
  Column sort = Column::cpu;
  bool reverse = false;           // R: the other way round from the column's natural order
  bool full_command = false;      // c: command lines instead of names
  bool containers_only = false;   // C
  bool grouped = false;           // g: one row per container
  const tools::Regex* filter = nullptr;  // /: over the name and the command line
  std::set<std::string> expanded;        // group keys whose processes are listed below them
};

// One line of the table: a process, or (grouped) a container.
struct Row {
  bool is_group = false;
  bool expanded = false;  // a group whose processes follow it
  bool member = false;    // a process listed below its group
  std::uint32_t pid = 0;
  const procinfo::Process* process = nullptr;  // nullptr for a group
  std::string user;
  char state = '?';
  std::optional<double> cpu_pct;
  std::uint64_t rss_kb = 0;
  std::uint64_t vsz_kb = 0;
  std::uint64_t mem_pct_x100 = 0;
  Nanos cpu_time{0};
  std::string container;  // "runtime:short id", "" outside a container
  std::string group_key;  // of the group the row is (or is in); "" outside a container
  std::size_t processes = 1;
};

// Counts for the header.
struct Summary {
  std::size_t processes = 0;
  std::optional<std::uint64_t> threads;  // absent when the source does not say
  std::size_t by_state[procinfo::process_states.size() + 1] = {};  // last: other letters
  std::size_t container_processes = 0;
  std::size_t containers = 0;
};

// Whether p counts as a container process for C and g: the source's
// container flag (or rule), or a container id.
bool in_container(const procinfo::Process& p);

// The CPU% of each process of cur, in the order of cur.processes: CPU time
// over wall time, per CPU (a process using one CPU all the time is 100, one
// using several more), since prev where prev holds the same process (the
// same pid and start time) and was taken before cur, else over the
// process's life; nullopt where neither can be told.
std::vector<std::optional<double>> cpu_percent(const procinfo::Snapshot* prev,
                                               const procinfo::Snapshot& cur);

// The rows of a frame of cur, with cpu from cpu_percent(), chosen, grouped
// and sorted as view says.
std::vector<Row> build_rows(const procinfo::Snapshot& cur,
                            const std::vector<std::optional<double>>& cpu,
                            const ViewOptions& view, tools::UserNames& users);

Summary summarize(const procinfo::Snapshot& cur);

// What the header says besides the snapshot.
struct HeaderInfo {
  std::string source;
  Nanos read_time{0};
  double interval_s = 2;
  Nanos frame_time{0};  // computing and laying out the frame, without the read
  const ViewOptions* view = nullptr;
};

// The header lines (three), each at most width display columns (0: not cut).
std::vector<std::string> header_lines(const procinfo::Snapshot& cur, const Summary& summary,
                                      const HeaderInfo& info, std::size_t width);

// The widths of the table's columns for a terminal width (0: every cell
// whole, the command not cut) and the rows shown.
struct Layout {
  std::size_t width = 0;      // 0: no limit
  std::size_t user = 8;
  std::size_t container = 9;  // the CONTAINER column
};
Layout layout_for(std::size_t width, const std::vector<Row>& rows, std::size_t first,
                  std::size_t count);

// The column titles.
std::string table_header(const Layout& layout);
// One row, cut to the layout's width.
std::string table_line(const Row& row, const Layout& layout, const ViewOptions& view);

// TIME+ as top shows it: minutes:seconds.hundredths.
std::string format_time_plus(Nanos t);

// The snapshots of a run: each read() replaces the previous with the
// current one and reads a new current one, with the CPU% between them.
class Sampler {
 public:
  // first: the reader's first snapshot, which took read_time.
  Sampler(procinfo::SnapshotReader reader, procinfo::Snapshot first, Nanos read_time);

  // Reads the next snapshot; throws as SnapshotReader::read() does, and
  // then keeps the snapshots it had.
  void read();

  const procinfo::Snapshot& current() const noexcept { return current_; }
  const std::vector<std::optional<double>>& cpu() const noexcept { return cpu_; }
  const procinfo::SourceSpec& source() const noexcept { return reader_.source(); }
  // How long the last read took, as this process saw it (a file: snapshot
  // carries the read_duration of the read that made it).
  Nanos read_time() const noexcept { return read_time_; }

 private:
  procinfo::SnapshotReader reader_;
  Nanos read_time_;
  std::optional<procinfo::Snapshot> previous_;
  procinfo::Snapshot current_;
  std::vector<std::optional<double>> cpu_;
};

// What a run shows and how often: the command-line options, changed by keys.
struct Settings {
  double interval_s = 2;
  std::optional<std::uint64_t> frames;  // -n: stop after this many; nullopt: until stopped
  std::optional<tools::Regex> filter;
  ViewOptions view;
  tools::UserNames users;

  Settings() = default;
  // view.filter points into filter.
  Settings(const Settings&) = delete;
  Settings& operator=(const Settings&) = delete;

  void set_filter(std::optional<tools::Regex> f) {
    filter = std::move(f);
    view.filter = filter ? &*filter : nullptr;
  }
};

// A frame of batch mode: the header lines, the column titles and every row,
// each line cut to width columns (0: not cut) and ended by a newline.
std::string batch_frame(const Sampler& sampler, Settings& settings, std::size_t width);

}  // namespace top
