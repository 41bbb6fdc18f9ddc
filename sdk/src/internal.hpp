// SPDX-License-Identifier: GPL-2.0 OR MIT
// Declarations shared between the SDK's sources. Internal: not installed.
#pragma once

#include <procinfo/error.hpp>
#include <procinfo/model.hpp>

#include <linux/procinfo.h>

#include "sys.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>

namespace procinfo::detail {

// Default paths.
inline constexpr std::string_view json_all_path = "/proc/" PROCINFO_SYSINFO_PROC_NAME;
inline constexpr std::string_view json_containers_path = "/proc/" PROCINFO_CONTINFO_PROC_NAME;
inline constexpr std::string_view device_path = "/dev/" PROCINFO_DEVICE_NAME;
inline constexpr std::string_view procfs_root = "/proc";

// Builds the error for a failed open of path: for the module's own files it
// says which module to load. The message is complete (no strerror suffix).
OsError open_error(int err, const std::string& path);

// Clock ticks per second of this system's procfs and /proc JSON files.
std::uint32_t host_user_hz() noexcept;

// Narrows saved data of view all to the container processes when view is
// containers; throws std::invalid_argument naming file when the data holds
// the containers view and view all is asked for.
void narrow_view(Snapshot& snap, View view, const std::string& file);

// Parses a /proc JSON document; file names the document in errors.
Snapshot parse_json(std::string_view text, const std::string& file, View view);
Snapshot read_json(const std::string& path, View view);

// The device, open, and a buffer kept between reads; see device.cpp. The
// constructor opens it and checks the driver's ABI (throws as read_snapshot()).
class DeviceReader {
 public:
  explicit DeviceReader(std::string path);
  // One snapshot. cmdlines false: processes without command lines, which a
  // driver with PROCINFO_FEAT_NO_CMDLINE then does not read at all (and the
  // keyword reason is never set).
  Snapshot read(View view, bool cmdlines);

 private:
  void reserve(std::size_t bytes);

  std::string path_;
  File dev_;
  procinfo_version version_{};
  std::unique_ptr<std::uint64_t[]> storage_;
  std::size_t words_ = 0;
};

// Reads the device once: DeviceReader(path).read(view, true).
Snapshot read_device(const std::string& path, View view);
// Turns one record into a Process; strings is the snapshot's string area.
// identity: the driver fills the container identity fields
// (PROCINFO_FEAT_CONTAINER_ID); without it they stay absent. Throws
// ParseError (naming file) when the record points outside the string area.
Process decode_record(const procinfo_record& rec, std::string_view strings, const std::string& file,
                      bool identity = false);

// Reads the kernel's /proc/<pid>/* files under root.
// cmdlines false: /proc/<pid>/cmdline is not read (and the keyword reason
// never set).
Snapshot read_procfs(const std::string& root, View view, bool cmdlines = true);

// The file: format.
std::string encode_file(const Snapshot& snapshot);
Snapshot decode_file(std::string_view bytes, const std::string& file);
Snapshot read_file_snapshot(const std::string& path);

}  // namespace procinfo::detail
