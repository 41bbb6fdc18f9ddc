// SPDX-License-Identifier: GPL-2.0 OR MIT
// Helpers shared by the unit tests.
#pragma once

#include <procinfo/model.hpp>

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>
#include <string_view>

namespace procinfo {

// Flag sets print as their bits in failed checks.
inline std::ostream& operator<<(std::ostream& out, ProcessFlag f) {
  return out << "0x" << std::hex << static_cast<std::uint32_t>(f) << std::dec;
}
inline std::ostream& operator<<(std::ostream& out, ContainerReason r) {
  return out << "0x" << std::hex << static_cast<std::uint32_t>(r) << std::dec;
}

}  // namespace procinfo

namespace procinfo::test {

// A fresh directory under $TMPDIR, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "procinfo-unit-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

inline void write_file(const std::filesystem::path& path, std::string_view bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A process with every member set, for the device / file / compare tests.
inline Process full_process(std::uint32_t pid, std::string name, std::string cmdline) {
  Process p;
  p.pid = pid;
  p.name = std::move(name);
  p.cmdline = std::move(cmdline);
  p.vsz_kb = 1000 + pid;
  p.rss_kb = 100 + pid;
  p.mem_pct_x100 = static_cast<std::uint32_t>(p.rss_kb * 10000 / 4000000);
  p.cpu_ticks = 50 + pid;
  p.state = 'S';
  p.ppid = 1;
  p.uid = 1000;
  p.gid = 1000;
  p.nr_threads = 1;
  p.utime_ns = 300000000ULL + pid;
  p.stime_ns = 200000000ULL + pid;
  p.start_time_ns = 5000000000ULL * pid;
  p.flags = ProcessFlag{};
  return p;
}

inline Snapshot snapshot_of(std::vector<Process> processes, std::string source = "test") {
  Snapshot s;
  s.source = std::move(source);
  s.mem_total_kb = 4000000;
  s.mem_free_kb = 1000000;
  s.processes = std::move(processes);
  return s;
}

}  // namespace procinfo::test
