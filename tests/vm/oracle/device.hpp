// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// Snapshots of /dev/procinfo and the checks of their binary layout.
#pragma once

#include <linux/procinfo.h>

#include <cstdint>
#include <string>
#include <vector>

namespace procinfo::device {

inline constexpr const char* path = "/dev/procinfo";

struct Record {
  procinfo_record r{};
  std::string comm;                           // bytes before the first NUL
  std::string cmdline;                        // raw, NUL separated
  std::string cgroup, container_id, pod_uid;  // ABI 2.1
};

struct Snapshot {
  procinfo_version ver{};
  procinfo_snapshot_req req{};
  std::vector<Record> records;
  int enospc = 0;  // ENOSPC answers before the snapshot fitted
};

// Opens the device (O_RDONLY|O_CLOEXEC); -1 with a message on failure.
int open_device(std::vector<std::string>& errors);

// Queries the version and checks it; false when unusable.
bool version(int fd, procinfo_version& ver, std::vector<std::string>& errors);

// Takes one snapshot into buf (grown on ENOSPC, retried with
// PROCINFO_SNAP_RETRY). With check, fills the buffer with a pattern first
// and validates every layout rule of the ABI into errors.
bool snapshot(int fd, std::uint32_t flags, std::vector<unsigned char>& buf, Snapshot& snap,
              bool check, std::vector<std::string>& errors);

// Decodes a snapshot taken by someone else into snap.records: snap.req as
// the ioctl answered, snap.ver as PROCINFO_IOC_VERSION did, flags as asked.
// With check, validates every rule snapshot() does except those on bytes
// the driver must leave alone (they need the pattern snapshot() fills in).
// False when the areas do not fit buf_size.
bool decode(const unsigned char* buf, std::size_t buf_size, std::uint32_t flags, Snapshot& snap,
            bool check, std::vector<std::string>& errors);

// Returns the names of a record's flags, comma separated.
std::string flag_names(std::uint32_t flags);
// "keyword,cgroup,pidns" of procinfo_record.reasons, "-" for none
std::string reason_names(std::uint32_t reasons);

}  // namespace procinfo::device
