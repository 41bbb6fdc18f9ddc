// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// The kernel's own view of every process, read from /proc/<pid>/* — the
// truth the driver's outputs are compared with.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace procinfo::truth {

inline constexpr std::uint64_t pf_kthread = 0x00200000;  // PF_KTHREAD

struct Proc {
  int pid = 0;
  std::string comm;           // /proc/<pid>/comm without its newline
  std::string cmdline;        // first 4096 bytes, trailing NULs stripped
  bool cmdline_over = false;  // non-NUL bytes exist past the first 4096
  bool cmdline_long = false;  // more than 4096 bytes in total
  char state = '?';
  int ppid = 0;
  std::uint64_t flags = 0;    // stat field 9
  std::uint64_t utime = 0;    // stat field 14, ticks
  std::uint64_t stime = 0;    // stat field 15, ticks
  std::uint64_t threads = 0;  // stat field 20
  std::uint64_t start = 0;    // stat field 22, ticks
  std::uint64_t vsz_kb = 0;   // statm size * page KiB
  std::uint64_t rss_kb = 0;   // statm resident * page KiB
  bool has_ids = false;
  std::uint32_t uid = 0, gid = 0;  // status Uid/Gid, first (real) value
  std::string cgroup;              // /proc/<pid>/cgroup "0::" line, without "0::"
  bool other_pidns = false;        // ns/pid differs from this program's

  // The container identity its cgroup path gives (container_match.c)
  struct Identity {
    unsigned runtime = 0;
    std::string id, pod_uid;
  };
  Identity identity() const;
  bool keyword() const;  // the original rule, on the command line
  // A container process by any rule: keyword, cgroup path, pid namespace
  bool container() const { return keyword() || identity().runtime || other_pidns; }

  bool kthread() const { return flags & pf_kthread; }
  std::uint64_t jiffies() const { return utime + stime; }
};

struct Snapshot {
  std::uint64_t mem_total_kb = 0;
  std::uint64_t mem_free_kb = 0;
  std::map<int, Proc> procs;  // thread-group leaders listed by /proc
};

// Reads one process; nullopt when it is gone (or was never there).
std::optional<Proc> read_proc(int pid, bool with_ids);

// Reads MemTotal and MemFree from /proc/meminfo, KiB.
bool read_meminfo(std::uint64_t& total_kb, std::uint64_t& free_kb);

// Walks /proc: meminfo first, then every numeric entry.
Snapshot read_all(bool with_ids);

// Returns the Tgid of /proc/<pid>/status, or -1.
int read_tgid(int pid);

// Reads a whole file (up to limit bytes) with large reads.
std::optional<std::string> read_file(const std::string& path, std::size_t limit = SIZE_MAX);

}  // namespace procinfo::truth
