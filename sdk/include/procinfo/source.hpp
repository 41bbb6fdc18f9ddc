// SPDX-License-Identifier: GPL-2.0 OR MIT
// Reading snapshots from any source.
#pragma once

#include <procinfo/export.hpp>
#include <procinfo/model.hpp>

#include <string>
#include <string_view>

namespace procinfo {

// Where a snapshot comes from. One string form is used everywhere (tools,
// API, docs):
//   json[:PATH]     a /proc JSON file or a saved copy of one; without PATH
//                   /proc/sysinfo_so1_202041390 or /proc/continfo_so1_202041390
//                   by view
//   device[:PATH]   the ioctl interface, default /dev/procinfo
//   procfs[:ROOT]   the kernel's own /proc/<pid>/* files, default /proc
//   file:PATH       a binary snapshot saved by save_snapshot()
struct SourceSpec {
  enum class Kind : std::uint8_t { json, device, procfs, file };
  Kind kind = Kind::procfs;
  std::string path;  // empty: the default for the kind (and view)

  // Parses the string form; throws std::invalid_argument with a message that
  // lists the accepted forms.
  PROCINFO_API static SourceSpec parse(std::string_view text);
  // The string form; parse(to_string()) gives back the same spec.
  PROCINFO_API std::string to_string() const;
  // The path actually read for a view (defaults filled in).
  PROCINFO_API std::string resolved_path(View view) const;

  friend bool operator==(const SourceSpec&, const SourceSpec&) = default;
};

// Reads one snapshot. Throws std::system_error whose message says what to
// do (e.g. which module to load), or procinfo::parse_error for malformed
// JSON or snapshot files.
PROCINFO_API Snapshot read_snapshot(const SourceSpec& source, View view = View::all);

// Writes a snapshot in the file: format (see file_format.md); throws std::system_error.
PROCINFO_API void save_snapshot(const Snapshot& snapshot, const std::string& path);

// Writes a snapshot as the /proc JSON document (SPEC layout, byte for byte
// what the driver prints for the same values).
PROCINFO_API std::string to_json(const Snapshot& snapshot);

}  // namespace procinfo
