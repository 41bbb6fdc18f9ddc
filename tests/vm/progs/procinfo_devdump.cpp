// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// procinfo-devdump: prints a /dev/procinfo snapshot as a table.
#include "device.hpp"
#include "procinfo_text.hpp"

#include <fmt/format.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

using namespace procinfo;

// Returns s as valid UTF-8 (U+FFFD for bad bytes) with control bytes and
// backslashes shown as C escapes: readable, one line, never raw bytes.
static std::string display(std::string_view s) {
  std::string out;
  for (char ch : text::sanitize_utf8(s)) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f || c == '\\')
      out += fmt::format("\\x{:02x}", c);
    else
      out += ch;
  }
  return out;
}

int main(int argc, char** argv) {
  CLI::App app{"procinfo-devdump: print a /dev/procinfo snapshot"};
  bool containers = false;
  std::size_t width = 80;
  app.add_flag("-c,--containers", containers, "only container processes");
  app.add_option("-w,--cmdline-width", width, "cut command lines at this many bytes (0: all)");
  CLI11_PARSE(app, argc, argv);

  std::vector<std::string> errs;
  int fd = device::open_device(errs);
  device::Snapshot snap;
  std::vector<unsigned char> buf;
  if (fd < 0 || !device::version(fd, snap.ver, errs) ||
      !device::snapshot(fd, containers ? PROCINFO_SNAP_CONTAINERS : 0, buf, snap, false, errs)) {
    for (auto& e : errs) fmt::print(stderr, "procinfo-devdump: {}\n", e);
    return 1;
  }
  ::close(fd);
  auto& q = snap.req;
  fmt::print(
      "# /dev/procinfo ABI {}.{}: {} processes, mem_total {} KiB, mem_free {} KiB, "
      "user_hz {}\n",
      snap.ver.major, snap.ver.minor, q.nr_records, q.mem_total_kb, q.mem_free_kb, q.user_hz);
  fmt::print("{:>7} {:>7} {:>5} {:>4} {:1} {:>9} {:>8} {:>6} {:>8} {:<20} {:<16} {}\n", "PID",
             "PPID", "UID", "THR", "S", "VSZ", "RSS", "%MEM", "TICKS", "FLAGS", "NAME", "CMDLINE");
  for (auto& rec : snap.records) {
    auto& r = rec.r;
    auto cmd = display(text::join_cmdline(rec.cmdline));
    if (width && cmd.size() > width) {
      std::size_t cut = width;  // not inside a UTF-8 sequence
      while (cut > 0 && (static_cast<unsigned char>(cmd[cut]) & 0xc0) == 0x80) --cut;
      cmd = cmd.substr(0, cut) + "...";
    }
    fmt::print("{:>7} {:>7} {:>5} {:>4} {:1} {:>9} {:>8} {:>3}.{:02} {:>8} {:<20} {:<16} {}\n",
               r.pid, r.ppid, r.uid, r.nr_threads, static_cast<char>(r.state), r.vsz_kb, r.rss_kb,
               r.mem_pct_x100 / 100, r.mem_pct_x100 % 100, r.cpu_ticks, device::flag_names(r.flags),
               display(rec.comm), r.flags & PROCINFO_REC_KTHREAD ? "[" + cmd + "]" : cmd);
  }
  return 0;
}
