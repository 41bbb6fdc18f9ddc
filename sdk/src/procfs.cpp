// SPDX-License-Identifier: GPL-2.0 OR MIT
// The kernel's own files: /proc/<pid>/{stat,statm,cmdline,status,cgroup,
// ns/pid} and /proc/meminfo, read with the driver's rules for units, capping,
// text and container identity (the driver's own matcher classifies paths).
#include <procinfo/error.hpp>

#include "container_match.h"
#include "internal.hpp"
#include "sys.hpp"
#include "text.hpp"

#include <dirent.h>
#include <limits.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <memory>
#include <optional>
#include <vector>

namespace procinfo::detail {
namespace {

constexpr std::uint64_t pf_kthread = 0x00200000;    // PF_KTHREAD, stat field 9
constexpr std::uint64_t pf_wq_worker = 0x00000020;  // PF_WQ_WORKER

struct Vanished {};  // the process went away while it was being read

bool to_u64(std::string_view s, std::uint64_t& v) {
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

std::vector<std::string_view> split(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t')) ++i;
    std::size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\n' && s[j] != '\t') ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

// Reads a per-process file; a process that is gone is reported as Vanished.
std::string read_pid_file(const std::string& path, std::size_t limit) {
  std::string text;
  if (!read_file(path, text, limit)) {
    const int err = errno;
    if (err == ENOENT || err == ESRCH) throw Vanished{};
    throw open_error(err, path);
  }
  return text;
}

// Gives back the raw comm the driver reports for a name /proc shows:
// /proc appends "-desc" or "+desc" to workqueue workers and shows the full
// name of kernel threads whose comm was cut at 15 bytes.
std::string raw_comm(std::string_view shown, std::uint64_t task_flags) {
  if ((task_flags & pf_wq_worker) && shown.substr(0, 8) == "kworker/") {
    const auto cut = shown.find_first_of("+-", 8);
    if (cut != std::string_view::npos) shown = shown.substr(0, cut);
  }
  if (shown.size() > PROCINFO_COMM_LEN - 1) shown = shown.substr(0, PROCINFO_COMM_LEN - 1);
  return std::string(shown);
}

struct Units {
  std::uint64_t page_kb;
  std::uint64_t ns_per_tick;
};

// The target of a /proc/<pid>/ns/* link ("pid:[4026531836]"); nullopt when
// it cannot be read (another user's process, a fixture tree without it).
std::optional<std::string> ns_link(const std::string& path) {
  char buf[PATH_MAX];
  const ssize_t n = ::readlink(path.c_str(), buf, sizeof(buf));
  if (n <= 0) return std::nullopt;
  return std::string(buf, static_cast<std::size_t>(n));
}

// The reader's own pid namespace, which ns/pid of each process is held
// against: a process in another one lives in a namespace below it.
struct Reader {
  std::optional<std::string> pid_ns;
};

// The container identity of one process, as the driver computes it: the
// cgroup v2 path ("0::" line of cgroup, cut at cgroup_max back to its last
// '/'), the shared matcher's verdict on it, and the reasons.
void read_identity(const std::string& dir, const std::string& status, const Reader& reader,
                   bool keyword, Process& p) {
  const std::string text = read_pid_file(dir + "/cgroup", 1 << 16);
  ContainerReason reasons = keyword ? ContainerReason::keyword : ContainerReason{};

  // Pid namespace: ns/pid against the reader's; where the link is not
  // readable (ptrace rules), status's NSpid, which lists one pid per level
  // from the procfs mount's namespace down to the process's own.
  const auto ns = reader.pid_ns ? ns_link(dir + "/ns/pid") : std::nullopt;
  if (ns) {
    if (*ns != *reader.pid_ns) reasons |= ContainerReason::pidns;
  } else if (const auto at = status.find("\nNSpid:"); at != std::string::npos) {
    const auto end = status.find('\n', at + 1);
    if (split(std::string_view(status).substr(at + 7, end - at - 7)).size() > 1)
      reasons |= ContainerReason::pidns;
  }

  std::optional<std::string_view> path;
  const std::string_view all(text);
  for (std::size_t at = 0; at < all.size();) {
    auto end = all.find('\n', at);
    if (end == std::string_view::npos) end = all.size();
    const std::string_view line = all.substr(at, end - at);
    if (line.starts_with("0::")) {
      path = line.substr(3);
      break;
    }
    at = end + 1;
  }
  ProcessFlag flags = *p.flags;
  if (path) {
    // /proc marks the path of a removed cgroup (a zombie's); the driver
    // reports the bare path.
    constexpr std::string_view deleted = " (deleted)";
    if (path->ends_with(deleted)) path->remove_suffix(deleted.size());
    if (path->size() > cgroup_max) {
      flags |= ProcessFlag::cgroup_cut;
      const auto slash = path->substr(0, cgroup_max).rfind('/');
      *path = path->substr(0, slash == std::string_view::npos ? 0 : slash);
    }
    procinfo_container_match match{};
    procinfo_match_cgroup(path->data(), path->size(), &match);
    if (match.runtime != PROCINFO_RUNTIME_NONE) reasons |= ContainerReason::cgroup;
    if (match.flags & PROCINFO_MATCH_ID_CUT) flags |= ProcessFlag::container_id_cut;
    p.cgroup = sanitize_utf8(*path);
    p.runtime = static_cast<Runtime>(match.runtime);
    p.container_id = sanitize_utf8(match.id);
    p.pod_uid = sanitize_utf8(match.pod_uid);
  }
  p.reasons = reasons;
  if (reasons != ContainerReason{}) flags |= ProcessFlag::container;
  p.flags = flags;
}

Process read_process(const std::string& dir, std::uint32_t pid, const Units& units,
                     const Reader& reader, std::uint64_t mem_total_kb, bool cmdlines) {
  Process p;
  p.pid = pid;

  const std::string stat_path = dir + "/stat";
  const std::string stat = read_pid_file(stat_path, 4096);
  // The comm in parentheses may hold ')' and spaces: the last ')' ends it.
  const auto open_paren = stat.find('(');
  const auto close_paren = stat.rfind(')');
  if (open_paren == std::string::npos || close_paren == std::string::npos ||
      close_paren < open_paren)
    throw ParseError(stat_path, 0, "\"PID (COMM) STATE ...\"");
  const auto fields = split(std::string_view(stat).substr(close_paren + 1));
  // fields[0] is stat field 3 (state); field n is fields[n - 3].
  std::uint64_t values[23] = {};
  if (fields.size() < 20 || fields[0].size() != 1)
    throw ParseError(stat_path, close_paren + 1, "at least 22 fields after the comm");
  for (std::size_t n : {4, 9, 14, 15, 20, 22}) {
    if (!to_u64(fields[n - 3], values[n]))
      throw ParseError(stat_path, static_cast<std::size_t>(fields[n - 3].data() - stat.data()),
                       fmt::format("an unsigned integer as field {}", n));
  }
  const std::uint64_t task_flags = values[9];
  p.state = fields[0][0];
  p.name = sanitize_utf8(
      raw_comm(std::string_view(stat).substr(open_paren + 1, close_paren - open_paren - 1),
               task_flags));
  p.ppid = static_cast<std::uint32_t>(values[4]);
  p.cpu_ticks = values[14] + values[15];
  p.nr_threads = static_cast<std::uint32_t>(values[20]);
  p.start_time_ns = values[22] * units.ns_per_tick;

  const std::string statm_path = dir + "/statm";
  const std::string statm_text = read_pid_file(statm_path, 4096);
  const auto statm = split(statm_text);
  std::uint64_t size = 0;
  std::uint64_t resident = 0;
  if (statm.size() < 2 || !to_u64(statm[0], size) || !to_u64(statm[1], resident))
    throw ParseError(statm_path, 0, "\"SIZE RESIDENT ...\" in pages");
  p.vsz_kb = size * units.page_kb;
  p.rss_kb = resident * units.page_kb;
  p.mem_pct_x100 =
      mem_total_kb ? static_cast<std::uint32_t>(p.rss_kb * 10000 / mem_total_kb) : 0;

  // One byte past the cap tells whether the command line was cut.
  bool truncated = false;
  if (cmdlines)
    p.cmdline = cmdline_from_raw(read_pid_file(dir + "/cmdline", cmdline_max + 1), &truncated);

  const std::string status_path = dir + "/status";
  const std::string status = read_pid_file(status_path, 1 << 16);
  for (const std::string_view key : {"\nUid:", "\nGid:"}) {
    const auto at = status.find(key);
    std::uint64_t id = 0;
    const auto values_here =
        at == std::string::npos ? std::vector<std::string_view>{}
                                : split(std::string_view(status).substr(
                                      at + key.size(), status.find('\n', at + 1) - at - key.size()));
    if (values_here.empty() || !to_u64(values_here[0], id))
      throw ParseError(status_path, at == std::string::npos ? 0 : at + 1,
                       fmt::format("a line \"{}\" with numeric ids", key.substr(1)));
    (key[1] == 'U' ? p.uid : p.gid) = static_cast<std::uint32_t>(id);
  }

  ProcessFlag flags{};
  if (task_flags & pf_kthread) flags |= ProcessFlag::kernel_thread;
  if (size == 0) flags |= ProcessFlag::no_mm;
  if (truncated) flags |= ProcessFlag::cmdline_truncated;
  p.flags = flags;
  read_identity(dir, status, reader, size != 0 && matches_container_rule(p.cmdline), p);
  return p;
}

void read_meminfo(const std::string& root, Snapshot& snap) {
  const std::string path = root + "/meminfo";
  std::string text;
  if (!read_file(path, text, 1 << 20)) throw open_error(errno, path);
  for (const std::string_view key : {"MemTotal:", "MemFree:"}) {
    const auto at = text.find(key);
    std::uint64_t kb = 0;
    const auto words =
        at == std::string::npos
            ? std::vector<std::string_view>{}
            : split(std::string_view(text).substr(at + key.size(),
                                                  text.find('\n', at) - at - key.size()));
    if (words.empty() || !to_u64(words[0], kb))
      throw ParseError(path, at == std::string::npos ? 0 : at,
                       fmt::format("a line \"{} N kB\"", key));
    (key == "MemTotal:" ? snap.mem_total_kb : snap.mem_free_kb) = kb;
  }
}

}  // namespace

Snapshot read_procfs(const std::string& root, View view, bool cmdlines) {
  Snapshot snap;
  read_meminfo(root, snap);
  const long page = ::sysconf(_SC_PAGESIZE);
  snap.user_hz = host_user_hz();
  const Units units{static_cast<std::uint64_t>(page > 0 ? page : 4096) / 1024,
                    1000000000ULL / *snap.user_hz};

  const Reader reader{ns_link(root + "/self/ns/pid")};

  const std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(root.c_str()), ::closedir);
  if (!dir) throw open_error(errno, root);
  std::vector<std::uint32_t> pids;
  for (;;) {
    errno = 0;  // readdir() tells the end from an error only by errno
    const dirent* entry = ::readdir(dir.get());
    if (!entry) {
      if (errno != 0)
        throw OsError(std::error_code(errno, std::generic_category()),
                      fmt::format("cannot list the processes in {}", root));
      break;
    }
    std::uint64_t pid = 0;
    const std::string_view name(entry->d_name);
    if (to_u64(name, pid) && pid > 0 && pid <= 0xffffffffULL)
      pids.push_back(static_cast<std::uint32_t>(pid));
  }
  std::sort(pids.begin(), pids.end());

  snap.processes.reserve(pids.size());
  for (const std::uint32_t pid : pids) {
    try {
      Process p = read_process(fmt::format("{}/{}", root, pid), pid, units, reader,
                               snap.mem_total_kb, cmdlines);
      if (view == View::containers && !has(*p.flags, ProcessFlag::container)) continue;
      snap.processes.push_back(std::move(p));
    } catch (const Vanished&) {
      // exited between readdir and the reads: not an error
    }
  }
  return snap;
}

}  // namespace procinfo::detail
