// SPDX-License-Identifier: GPL-2.0 OR MIT
// Reading snapshots from any source, and saving them.
#pragma once

#include <procinfo/export.hpp>
#include <procinfo/model.hpp>

#include <memory>
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
  // Whether two reads of the source can differ: true for the device and for
  // a JSON file or procfs root on a mounted procfs (the driver's /proc files,
  // /proc); false for a file: snapshot and for a JSON copy or a procfs-like
  // tree on an ordinary file system (saved data). A path that does not exist
  // counts as live when it lies under /proc.
  PROCINFO_API bool is_live(View view = View::all) const;

  friend bool operator==(const SourceSpec&, const SourceSpec&) = default;
};

// Reads one snapshot of view. Throws procinfo::SourceUnavailable when a
// source of the driver is not there (module not loaded), std::system_error
// (often procinfo::OsError) whose message says what to do for other
// failures, procinfo::ParseError for malformed JSON or snapshot files, and
// std::invalid_argument when saved data holds a smaller view than asked (a
// containers-only file read as view all). Saved data of view all read as
// view containers is narrowed to the container processes.
// Live sources set Snapshot::taken_at_boot.
PROCINFO_API Snapshot read_snapshot(const SourceSpec& source, View view = View::all);

// What a read returns.
struct ReadOptions {
  View view = View::all;
  // false: processes come without their command line (Process::cmdline
  // empty). The device (ABI >= 2.2) then does not read them at all, the
  // larger part of a snapshot's cost, and procfs skips /proc/<pid>/cmdline;
  // with either, the keyword rule cannot apply, so no process has
  // ContainerReason::keyword and the containers view is selected by the
  // other reasons. The JSON files and file: snapshots hold command lines:
  // they are read and dropped.
  bool cmdlines = true;
};

// Reads one source again and again, keeping between reads what can be
// kept: the open device and a buffer the size of the last snapshot. For
// tools that poll (top, an exporter); read_snapshot() is a SnapshotReader
// used once. Each read throws as read_snapshot() does; after a failure the
// next read starts afresh (the module reloaded, the device reopened). One
// reader serves one thread at a time.
class PROCINFO_API SnapshotReader {
 public:
  explicit SnapshotReader(SourceSpec source, ReadOptions options = {});
  SnapshotReader(SnapshotReader&&) noexcept;
  SnapshotReader& operator=(SnapshotReader&&) noexcept;
  ~SnapshotReader();

  Snapshot read();

  const SourceSpec& source() const noexcept { return source_; }
  const ReadOptions& options() const noexcept { return options_; }

 private:
  struct State;
  SourceSpec source_;
  ReadOptions options_;
  std::unique_ptr<State> state_;
};

// The bytes of a snapshot in the file: format (see file_format.md).
PROCINFO_API std::string encode_snapshot(const Snapshot& snapshot);

// Writes bytes to path, never replacing anything but a regular file:
//   - a path that does not exist is created (mode 0666 less the umask) by
//     writing a temporary file in the same directory and renaming it;
//   - a regular file is replaced the same way, keeping its mode and (when
//     permitted) its owner; a file without any write permission (mode 0444)
//     is refused, never made writable; a file with other hard links, or
//     one in a directory the caller cannot write, is rewritten in place;
//   - a symbolic link is followed and its target written as above; a link
//     to nothing is refused; a path that resolves through /proc (such as
//     /dev/stdout or /dev/fd/N) is opened and written in place;
//   - a character device or FIFO (/dev/null, a named pipe) is written
//     directly, never renamed over;
//   - a directory, block device or socket is refused.
// Throws procinfo::OsError whose message names the path and the reason.
PROCINFO_API void save_file(const std::string& path, std::string_view bytes);

// save_file(path, encode_snapshot(snapshot)).
PROCINFO_API void save_snapshot(const Snapshot& snapshot, const std::string& path);

// Writes a snapshot as the /proc JSON document (the driver's layout, byte for byte
// what the driver prints for the same values).
PROCINFO_API std::string to_json(const Snapshot& snapshot);
// The same document; with_identity adds, after the contract's keys of each
// process, "cgroup" (string or null), "runtime" ("docker", "containerd",
// "crio", "podman", "lxc", "nspawn" or null), "container_id" (or null),
// "pod_uid" (or null) and "reasons" (array of "keyword", "cgroup", "pidns";
// null when the source does not report reasons).
PROCINFO_API std::string to_json(const Snapshot& snapshot, bool with_identity);

// text as a JSON string literal, quotes included, written as to_json()
// writes names: ill-formed UTF-8 replaced (sanitize_utf8()), then the
// driver's escapes (\" \\ \n \t, other control bytes as \u00xx).
PROCINFO_API std::string json_string(std::string_view text);

}  // namespace procinfo
