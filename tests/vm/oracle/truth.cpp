// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "truth.hpp"

#include "container_match.h"

#include "procinfo_text.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <string_view>
#include <vector>

namespace procinfo::truth {

std::optional<std::string> read_file(const std::string& path, std::size_t limit) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string out;
  char buf[65536];
  while (out.size() < limit) {
    const std::size_t want = std::min(sizeof(buf), limit - out.size());
    const ssize_t n = ::read(fd, buf, want);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

namespace {

bool to_u64(std::string_view s, std::uint64_t& v) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

std::vector<std::string_view> split_ws(std::string_view s) {
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

const std::uint64_t page_kb = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE)) / 1024;

}  // namespace

std::optional<Proc> read_proc(int pid, bool with_ids) {
  const std::string dir = "/proc/" + std::to_string(pid);
  Proc p;
  p.pid = pid;

  auto stat = read_file(dir + "/stat");
  if (!stat) return std::nullopt;
  // The comm in parentheses may hold ')' and spaces: the last ')' ends it.
  const auto close = stat->rfind(')');
  if (close == std::string::npos || close + 2 >= stat->size()) return std::nullopt;
  auto f = split_ws(std::string_view(*stat).substr(close + 1));
  // f[0] is field 3 (state); field k is f[k - 3].
  if (f.size() < 20 || f[0].size() != 1) return std::nullopt;
  p.state = f[0][0];
  std::uint64_t v = 0;
  if (!to_u64(f[4 - 3], v)) return std::nullopt;
  p.ppid = static_cast<int>(v);
  if (!to_u64(f[9 - 3], p.flags) || !to_u64(f[14 - 3], p.utime) || !to_u64(f[15 - 3], p.stime) ||
      !to_u64(f[20 - 3], p.threads) || !to_u64(f[22 - 3], p.start))
    return std::nullopt;

  auto statm = read_file(dir + "/statm");
  if (!statm) return std::nullopt;
  auto m = split_ws(*statm);
  std::uint64_t size = 0, res = 0;
  if (m.size() < 2 || !to_u64(m[0], size) || !to_u64(m[1], res)) return std::nullopt;
  p.vsz_kb = size * page_kb;
  p.rss_kb = res * page_kb;

  auto comm = read_file(dir + "/comm");
  if (!comm) return std::nullopt;
  if (!comm->empty() && comm->back() == '\n') comm->pop_back();
  p.comm = std::move(*comm);

  // One byte more than the cap tells whether anything was cut.
  auto cmd = read_file(dir + "/cmdline", text::cmdline_max + 1);
  if (!cmd) return std::nullopt;
  p.cmdline_long = cmd->size() > text::cmdline_max;
  if (p.cmdline_long) {
    // Is there non-NUL content past the cap? Read the whole thing.
    auto whole = read_file(dir + "/cmdline");
    if (whole) {
      std::string_view w(*whole);
      while (!w.empty() && w.back() == '\0') w.remove_suffix(1);
      p.cmdline_over = w.size() > text::cmdline_max;
    }
  }
  p.cmdline = std::string(text::cap_cmdline(*cmd));

  // cgroup v2: the "0::" line (absent without cgroup2, then "")
  if (auto cg = read_file(dir + "/cgroup")) {
    auto at = cg->rfind("0::", 0) == 0 ? 0 : cg->find("\n0::");
    if (at != std::string::npos) {
      at += at ? 4 : 3;
      p.cgroup = cg->substr(at, cg->find('\n', at) - at);
    }
  }
  char mine[64] = {}, theirs[64] = {};
  if (::readlink("/proc/self/ns/pid", mine, sizeof(mine) - 1) > 0 &&
      ::readlink((dir + "/ns/pid").c_str(), theirs, sizeof(theirs) - 1) > 0)
    p.other_pidns = std::string_view(mine) != std::string_view(theirs);

  if (with_ids) {
    auto st = read_file(dir + "/status");
    if (!st) return std::nullopt;
    std::string_view s(*st);
    for (auto [key, dst] : {std::pair{"\nUid:", &p.uid}, std::pair{"\nGid:", &p.gid}}) {
      auto at = s.find(key);
      if (at == std::string_view::npos) return std::nullopt;
      auto eol = s.find('\n', at + 1);
      auto fields = split_ws(s.substr(at + 5, eol - at - 5));
      std::uint64_t id = 0;
      if (fields.empty() || !to_u64(fields[0], id)) return std::nullopt;
      *dst = static_cast<std::uint32_t>(id);
    }
    p.has_ids = true;
  }
  return p;
}

Proc::Identity Proc::identity() const {
  procinfo_container_match m{};
  Identity out;
  out.runtime = procinfo_match_cgroup(cgroup.data(), cgroup.size(), &m);
  out.id = m.id;
  out.pod_uid = m.pod_uid;
  return out;
}

bool Proc::keyword() const {
  return text::container_rule(text::join_cmdline(cmdline));
}

bool read_meminfo(std::uint64_t& total_kb, std::uint64_t& free_kb) {
  auto mi = read_file("/proc/meminfo");
  if (!mi) return false;
  bool t = false, f = false;
  std::string_view s(*mi);
  while (!s.empty()) {
    auto nl = s.find('\n');
    std::string_view line = s.substr(0, nl);
    s = nl == std::string_view::npos ? std::string_view() : s.substr(nl + 1);
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    auto key = line.substr(0, colon);
    auto w = split_ws(line.substr(colon + 1));
    if (w.empty()) continue;
    if (key == "MemTotal")
      t = to_u64(w[0], total_kb);
    else if (key == "MemFree")
      f = to_u64(w[0], free_kb);
  }
  return t && f;
}

Snapshot read_all(bool with_ids) {
  Snapshot s;
  read_meminfo(s.mem_total_kb, s.mem_free_kb);
  DIR* d = ::opendir("/proc");
  if (!d) return s;
  while (auto* e = ::readdir(d)) {
    std::uint64_t pid = 0;
    std::string_view name(e->d_name);
    if (!to_u64(name, pid) || pid == 0) continue;
    if (auto p = read_proc(static_cast<int>(pid), with_ids))
      s.procs.emplace(static_cast<int>(pid), std::move(*p));
  }
  ::closedir(d);
  return s;
}

int read_tgid(int pid) {
  auto st = read_file("/proc/" + std::to_string(pid) + "/status");
  if (!st) return -1;
  auto at = st->find("\nTgid:");
  if (at == std::string::npos) return -1;
  return std::atoi(st->c_str() + at + 6);
}

}  // namespace procinfo::truth
