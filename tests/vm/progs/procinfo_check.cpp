// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// procinfo-check: checks the driver's outputs against the kernel's own
// /proc inside a test guest.
//
//   json FILE      strict document check, then every entry against /proc
//   device         device snapshot layout + every record against /proc
//   get PID FIELD...  fields of one process, one per line (for shell assertions)
//   time           read / snapshot / procfs-walk timings
//   errors         the ioctl error contract
//   reference      the contract's document built from /proc (no driver)
#include "compare.hpp"
#include "device.hpp"
#include "jsondoc.hpp"
#include "procinfo_text.hpp"
#include "truth.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>

using namespace procinfo;

namespace {

std::set<long> parse_pid_list(const std::string& s) {
  std::set<long> out;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t j = s.find_first_of(", \n", i);
    if (j == std::string::npos) j = s.size();
    if (j > i) out.insert(std::stol(s.substr(i, j - i)));
    i = j + 1;
  }
  return out;
}

std::set<long> read_pid_file(const std::string& path) {
  auto f = truth::read_file(path);
  if (!f) throw std::runtime_error("cannot read " + path);
  return parse_pid_list(*f);
}

// Which array the document must carry: "containers" for continfo.
bool view_is_containers(const std::string& view, const std::string& file) {
  if (view == "auto") return file.find("continfo") != std::string::npos;
  return view == "containers";
}

int finish(const char* what, const compare::Report& rep, const std::vector<std::string>& errs) {
  for (auto& e : errs) fmt::print("FAIL: {}\n", e);
  const int n = rep.problems + static_cast<int>(errs.size());
  if (n) {
    fmt::print("{}: FAILED with {} problem(s)\n", what, n);
    return 1;
  }
  fmt::print("{}: OK\n", what);
  return 0;
}

bool load_doc(const std::string& file, bool containers, jsondoc::Doc& doc,
              std::vector<std::string>& errs) {
  auto text = truth::read_file(file);
  if (!text) {
    errs.push_back(fmt::format("cannot read {}: {}", file, std::strerror(errno)));
    return false;
  }
  return jsondoc::parse(*text, containers ? "containers" : "processes", doc, errs);
}

struct Common {
  bool exact_set = false;
  std::string strict;
  std::string required_file;
  std::string view = "auto";
};

compare::Options options(const Common& c, bool containers) {
  compare::Options o;
  o.strict = parse_pid_list(c.strict);
  if (!c.required_file.empty()) o.required = read_pid_file(c.required_file);
  o.containers = containers;
  o.exact_set = c.exact_set;
  return o;
}

int cmd_json(const std::string& file, const Common& c, bool no_truth) {
  const bool containers = view_is_containers(c.view, file);
  std::vector<std::string> errs;
  compare::Report rep;
  jsondoc::Doc doc;
  if (no_truth) {
    load_doc(file, containers, doc, errs);
    fmt::print("json {}: {} entries, {} bytes\n", file, doc.entries.size(), doc.bytes);
    return finish("json (no truth)", rep, errs);
  }
  auto opt = options(c, containers);
  auto before = truth::read_all(false);
  const bool ok = load_doc(file, containers, doc, errs);
  auto after = truth::read_all(false);
  fmt::print("json {}: {} entries, {} bytes\n", file, doc.entries.size(), doc.bytes);
  if (ok) compare::json_vs_truth(doc, before, after, opt, rep);
  return finish("json", rep, errs);
}

int cmd_device(const Common& c, const std::string& json_file, bool no_truth) {
  const bool containers = c.view == "containers";
  std::vector<std::string> errs;
  compare::Report rep;
  auto opt = options(c, containers);
  int fd = device::open_device(errs);
  if (fd < 0) return finish("device", rep, errs);
  device::Snapshot snap;
  if (!device::version(fd, snap.ver, errs)) return finish("device", rep, errs);
  fmt::print(
      "device: ABI {}.{}, record_size {}, req_size {}, features {:#x}, user_hz {}, "
      "page_size {}\n",
      snap.ver.major, snap.ver.minor, snap.ver.record_size, snap.ver.req_size, snap.ver.features,
      snap.ver.user_hz, snap.ver.page_size);
  std::vector<unsigned char> buf(4096);
  if (no_truth) {
    device::snapshot(fd, containers ? PROCINFO_SNAP_CONTAINERS : 0, buf, snap, true, errs);
    fmt::print("device: {} records, {} string bytes\n", snap.records.size(), snap.req.strings_len);
    ::close(fd);
    return finish("device (no truth)", rep, errs);
  }
  auto before = truth::read_all(true);
  const bool ok =
      device::snapshot(fd, containers ? PROCINFO_SNAP_CONTAINERS : 0, buf, snap, true, errs);
  jsondoc::Doc doc;
  bool have_doc = false;
  if (!json_file.empty())
    have_doc = load_doc(json_file, view_is_containers(c.view, json_file), doc, errs);
  auto after = truth::read_all(true);
  fmt::print("device: {} records, {} string bytes, needed {}, {} ENOSPC retries\n",
             snap.records.size(), snap.req.strings_len, snap.req.needed, snap.enospc);
  if (ok) {
    compare::device_vs_truth(snap, before, after, opt, rep);
    if (have_doc) {
      fmt::print("json {}: {} entries\n", json_file, doc.entries.size());
      compare::json_vs_truth(doc, before, after, opt, rep);
      compare::device_vs_json(snap, doc, before, after, opt, rep);
    }
  }
  ::close(fd);
  return finish("device", rep, errs);
}

std::optional<std::string> json_field(const jsondoc::Entry& e, const std::string& field) {
  std::optional<std::string> v;
  if (field == "pid")
    v = std::to_string(e.pid);
  else if (field == "name")
    v = e.raw_name;
  else if (field == "cmdline")
    v = e.raw_cmdline;
  else if (field == "name_len")
    v = std::to_string(e.name.size());
  else if (field == "cmdline_len")
    v = std::to_string(e.cmdline.size());
  else if (field == "vsz_kb")
    v = std::to_string(e.vsz_kb);
  else if (field == "rss_kb")
    v = std::to_string(e.rss_kb);
  else if (field == "mem_pct")
    v = e.mem_pct;
  else if (field == "proc_jiffies")
    v = std::to_string(e.proc_jiffies);
  else if (field == "state")
    v = e.state;
  return v;
}

std::optional<std::string> device_field(const device::Record& rec, const std::string& field) {
  const auto& r = rec.r;
  std::optional<std::string> v;
  if (field == "pid")
    v = std::to_string(r.pid);
  else if (field == "ppid")
    v = std::to_string(r.ppid);
  else if (field == "uid")
    v = std::to_string(r.uid);
  else if (field == "gid")
    v = std::to_string(r.gid);
  else if (field == "nr_threads")
    v = std::to_string(r.nr_threads);
  else if (field == "flags")
    v = device::flag_names(r.flags);
  else if (field == "state")
    v = std::string(1, static_cast<char>(r.state));
  else if (field == "comm" || field == "name")
    v = text::printable(rec.comm);
  else if (field == "cmdline")
    v = text::printable(text::join_cmdline(rec.cmdline));
  else if (field == "cmdline_len")
    v = std::to_string(r.cmdline_len);
  else if (field == "vsz_kb")
    v = std::to_string(r.vsz_kb);
  else if (field == "rss_kb")
    v = std::to_string(r.rss_kb);
  else if (field == "mem_pct_x100")
    v = std::to_string(r.mem_pct_x100);
  else if (field == "cpu_ticks" || field == "proc_jiffies")
    v = std::to_string(r.cpu_ticks);
  else if (field == "utime_ns")
    v = std::to_string(r.utime_ns);
  else if (field == "stime_ns")
    v = std::to_string(r.stime_ns);
  else if (field == "start_time_ns")
    v = std::to_string(r.start_time_ns);
  else if (field == "cgroup")
    v = text::printable(rec.cgroup);
  else if (field == "runtime")
    v = std::to_string(r.runtime);
  else if (field == "container_id")
    v = text::printable(rec.container_id);
  else if (field == "pod_uid")
    v = text::printable(rec.pod_uid);
  else if (field == "reasons")
    v = device::reason_names(r.reasons);
  else if (field == "identity")  // one record's path and id together
    v = text::printable(rec.cgroup) + " " + text::printable(rec.container_id);
  return v;
}

// Prints FIELDS of PID one per line, or with PID "all" one line per listed
// process, the fields separated by tabs (JSON strings stay escaped and
// device strings printable, so neither holds a tab or a newline).
template <typename Item, typename Field>
int print_fields(const std::vector<Item>& items, const std::string& pid,
                 const std::vector<std::string>& fields, Field field_of,
                 const std::string& source) {
  const bool all = pid == "all";
  bool found = false;
  for (const auto& item : items) {
    if (!all && field_of(item, "pid") != pid) continue;
    found = true;
    std::string line;
    for (const auto& field : fields) {
      const auto v = field_of(item, field);
      if (!v) {
        fmt::print(stderr, "unknown field {} (in the {})\n", field, source);
        return 2;
      }
      if (!line.empty()) line += all ? '\t' : '\n';
      line += *v;
    }
    fmt::print("{}\n", line);
    if (!all) return 0;
  }
  if (found) return 0;
  fmt::print(stderr, "pid {} not in the {}\n", pid, source);
  return 3;
}

int cmd_get(const std::string& pid, const std::vector<std::string>& fields,
            const std::string& json_file, bool use_device, const std::string& view, int repeat) {
  std::vector<std::string> errs;
  if (!json_file.empty()) {
    jsondoc::Doc doc;
    load_doc(json_file, view_is_containers(view, json_file), doc, errs);
    for (auto& e : errs) fmt::print(stderr, "warning: {}\n", e);
    return print_fields(doc.entries, pid, fields, json_field, "document " + json_file);
  }
  if (!use_device) {
    fmt::print(stderr, "get needs --json FILE or --device\n");
    return 2;
  }
  int fd = device::open_device(errs);
  device::Snapshot snap;
  if (fd < 0 || !device::version(fd, snap.ver, errs)) {
    for (auto& e : errs) fmt::print(stderr, "{}\n", e);
    return 2;
  }
  // --repeat: a new snapshot each time, from one process (a process start
  // costs ~1 s on the debug kernel, a snapshot a few ms).
  std::vector<unsigned char> buf;
  int rc = 0;
  for (int i = 0; i < repeat && rc == 0; ++i) {
    if (!device::snapshot(fd, view == "containers" ? PROCINFO_SNAP_CONTAINERS : 0, buf, snap, false,
                          errs)) {
      for (auto& e : errs) fmt::print(stderr, "{}\n", e);
      rc = 2;
      break;
    }
    rc = print_fields(snap.records, pid, fields, device_field, "device snapshot");
  }
  ::close(fd);
  return rc;
}

// ---- time ----

using Clock = std::chrono::steady_clock;

std::size_t read_whole(const char* path, std::vector<char>& buf) {
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  std::size_t total = 0;
  ssize_t n;
  while ((n = ::read(fd, buf.data(), buf.size())) > 0) total += static_cast<std::size_t>(n);
  ::close(fd);
  return total;
}

std::size_t procfs_walk(std::vector<char>& buf) {
  std::size_t n = 0;
  DIR* d = ::opendir("/proc");
  if (!d) return 0;
  char path[300];
  while (auto* e = ::readdir(d)) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
    for (const char* f : {"stat", "statm", "cmdline"}) {
      std::snprintf(path, sizeof(path), "/proc/%s/%s", e->d_name, f);
      int fd = ::open(path, O_RDONLY | O_CLOEXEC);
      if (fd < 0) continue;
      if (::read(fd, buf.data(), 4096) < 0) {
        // a vanished process: ignore
      }
      ::close(fd);
    }
    ++n;
  }
  ::closedir(d);
  return n;
}

int cmd_time(int iterations, bool skip_walk) {
  std::vector<char> buf(1 << 20);
  std::size_t nproc = procfs_walk(buf);
  struct Row {
    std::string op;
    double ms;
    std::string note;
  };
  std::vector<Row> rows;
  auto timed = [&](auto&& fn) {
    auto t0 = Clock::now();
    for (int i = 0; i < iterations; ++i) fn();
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count() / iterations;
  };
  std::size_t walked = 0;
  const double walk_ms = skip_walk ? 0.0 : timed([&] { walked = procfs_walk(buf); });
  for (const char* f :
       {"/proc/" PROCINFO_SYSINFO_PROC_NAME, "/proc/" PROCINFO_CONTINFO_PROC_NAME}) {
    std::size_t bytes = 0;
    if (::access(f, R_OK) != 0) {
      rows.push_back({fmt::format("read {}", f), -1, "absent"});
      continue;
    }
    const double ms = timed([&] { bytes = read_whole(f, buf); });
    rows.push_back({fmt::format("read {}", f), ms, fmt::format("{} bytes", bytes)});
  }
  std::vector<std::string> errs;
  int fd = ::open(device::path, O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    for (auto [flags, label] :
         {std::pair{0u, "device snapshot (all)"},
          std::pair{unsigned(PROCINFO_SNAP_CONTAINERS), "device snapshot (containers)"}}) {
      std::vector<unsigned char> dbuf;
      device::Snapshot snap;
      device::snapshot(fd, flags, dbuf, snap, false, errs);  // sizes the buffer
      const double ms = timed([&] { device::snapshot(fd, flags, dbuf, snap, false, errs); });
      rows.push_back(
          {label, ms, fmt::format("{} records, {} bytes", snap.records.size(), snap.req.needed)});
    }
    ::close(fd);
  } else {
    rows.push_back({"device snapshot", -1, "absent"});
  }
  if (!skip_walk)
    rows.push_back(
        {"procfs walk (stat+statm+cmdline)", walk_ms, fmt::format("{} processes", walked)});
  fmt::print("TIMING processes={} iterations={}\n", nproc, iterations);
  fmt::print("TIMING {:<44} {:>10} {:>9}  {}\n", "operation", "ms/op", "walk/op", "size");
  for (auto& r : rows) {
    if (r.ms < 0) {
      fmt::print("TIMING {:<44} {:>10} {:>9}  {}\n", r.op, "-", "-", r.note);
      continue;
    }
    fmt::print("TIMING {:<44} {:>10.3f} {:>8.1f}x  {}\n", r.op, r.ms,
               r.ms > 0 ? walk_ms / r.ms : 0.0, r.note);
  }
  for (auto& e : errs) fmt::print("FAIL: {}\n", e);
  return errs.empty() ? 0 : 1;
}

// ---- errors ----

const char* errname(int e) {
  const char* n = ::strerrorname_np(e);
  return n ? n : "?";
}

struct BigReq {
  procinfo_snapshot_req req;
  std::uint64_t tail[2];
};

int cmd_errors() {
  int failures = 0;
  std::vector<std::string> errs;
  int fd = device::open_device(errs);
  if (fd < 0) {
    fmt::print("FAIL: {}\n", errs.front());
    return 1;
  }
  auto expect = [&](const char* what, int rc, int want_errno) {
    const int e = rc < 0 ? errno : 0;
    const bool ok = want_errno ? (rc == -1 && e == want_errno) : rc == 0;
    fmt::print("{} {}: got {}, want {}\n", ok ? "ok  " : "FAIL", what,
               rc == 0 ? "success" : errname(e), want_errno ? errname(want_errno) : "success");
    failures += !ok;
    return ok;
  };
  std::vector<unsigned char> buf(1 << 16);
  auto fresh = [&] {
    procinfo_snapshot_req r{};
    r.size = sizeof(r);
    r.buf = reinterpret_cast<std::uintptr_t>(buf.data());
    r.buf_len = buf.size();
    return r;
  };

  procinfo_version ver{};
  expect("VERSION", ::ioctl(fd, PROCINFO_IOC_VERSION, &ver), 0);
  expect("VERSION with a NULL pointer", ::ioctl(fd, PROCINFO_IOC_VERSION, nullptr), EFAULT);
  expect("unknown command nr 0x7f",
         ::ioctl(fd, _IOR(PROCINFO_IOC_MAGIC, 0x7f, struct procinfo_version), &ver), ENOTTY);
  expect("unknown command (other magic)", ::ioctl(fd, _IOR('x', 0x01, int), &ver), ENOTTY);
  expect("VERSION number with the wrong size",
         ::ioctl(fd, _IOR(PROCINFO_IOC_MAGIC, 0x01, std::uint32_t), &ver), ENOTTY);

  // Size the buffer for the rest.
  auto r = fresh();
  while (::ioctl(fd, PROCINFO_IOC_SNAPSHOT, &r) != 0 && errno == ENOSPC) {
    buf.resize(r.needed * 2);
    r = fresh();
  }
  buf.resize(buf.size() * 2);

  r = fresh();
  expect("SNAPSHOT plain", ::ioctl(fd, PROCINFO_IOC_SNAPSHOT, &r), 0);
  for (std::uint32_t sz : {0u, 8u, 64u, 127u}) {
    r = fresh();
    r.size = sz;
    expect(fmt::format("size {}", sz).c_str(), ::ioctl(fd, PROCINFO_IOC_SNAPSHOT, &r), EINVAL);
  }
  for (std::uint32_t bit = 2; bit < 32; bit += 7) {
    if ((1u << bit) & PROCINFO_SNAP_ALL_FLAGS) continue;
    r = fresh();
    r.flags = 1u << bit;
    expect(fmt::format("unknown flag bit {}", bit).c_str(), ::ioctl(fd, PROCINFO_IOC_SNAPSHOT, &r),
           EINVAL);
  }
  r = fresh();
  r.reserved0 = 1;
  expect("reserved0 non-zero", ::ioctl(fd, PROCINFO_IOC_SNAPSHOT, &r), EINVAL);
  for (int k = 0; k < 4; ++k) {
    r = fresh();
    r.reserved[k] = 1ull << 63;
    expect(fmt::format("reserved[{}] non-zero", k).c_str(), ::ioctl(fd, PROCINFO_IOC_SNAPSHOT, &r),
           EINVAL);
  }
  r = fresh();
  r.buf = 0;
  expect("buf NULL with buf_len != 0", ::ioctl(fd, PROCINFO_IOC_SNAPSHOT, &r), EINVAL);
  r = fresh();
  r.buf = 0x10;
  expect("buf pointer 0x10", ::ioctl(fd, PROCINFO_IOC_SNAPSHOT, &r), EFAULT);
  r = fresh();
  r.buf = 0xffff800000000000ull;
  expect("buf pointer in kernel space", ::ioctl(fd, PROCINFO_IOC_SNAPSHOT, &r), EFAULT);
  {
    void* ro = ::mmap(nullptr, buf.size(), PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    r = fresh();
    r.buf = reinterpret_cast<std::uintptr_t>(ro);
    expect("buf read-only", ::ioctl(fd, PROCINFO_IOC_SNAPSHOT, &r), EFAULT);
    ::munmap(ro, buf.size());
  }
  expect("req pointer NULL", ::ioctl(fd, PROCINFO_IOC_SNAPSHOT, nullptr), EFAULT);
  expect("req pointer 0x10", ::ioctl(fd, PROCINFO_IOC_SNAPSHOT, reinterpret_cast<void*>(0x10)),
         EFAULT);

  // ENOSPC, then RETRY hands out the same snapshot.
  r = fresh();
  r.buf_len = 64;
  std::memset(buf.data(), 0x5a, 64);
  if (expect("short buffer (64 bytes)", ::ioctl(fd, PROCINFO_IOC_SNAPSHOT, &r), ENOSPC)) {
    const auto needed = r.needed;
    const auto ts = r.timestamp_ns;
    bool untouched = true;
    for (int i = 0; i < 64; ++i) untouched &= buf[i] == 0x5a;
    fmt::print("{} ENOSPC: needed {} > 64, nr_records {} == 0, buffer untouched {}\n",
               needed > 64 && r.nr_records == 0 && untouched ? "ok  " : "FAIL", needed,
               r.nr_records, untouched);
    failures += !(needed > 64 && r.nr_records == 0 && untouched);
    if (buf.size() < needed) buf.resize(needed);
    r = fresh();
    r.buf_len = needed;
    r.flags = PROCINFO_SNAP_RETRY;
    if (expect("RETRY with buf_len = needed", ::ioctl(fd, PROCINFO_IOC_SNAPSHOT, &r), 0)) {
      const bool same = r.timestamp_ns == ts && r.needed == needed;
      fmt::print("{} RETRY gave the pending snapshot: timestamp {} == {}, needed {} == {}\n",
                 same ? "ok  " : "FAIL", r.timestamp_ns, ts, r.needed, needed);
      failures += !same;
    }
  }
  // PROCINFO_SNAP_NO_CMDLINE: no record has a command line or the keyword
  // reason, where a plain snapshot has (this checker's own, at least).
  auto cmdline_records = [&](const procinfo_snapshot_req& q, std::uint32_t& keyword) {
    std::uint32_t with = 0;
    keyword = 0;
    for (std::uint32_t i = 0; i < q.nr_records; ++i) {
      procinfo_record rec;
      std::memcpy(&rec, buf.data() + q.records_offset + std::size_t{i} * q.record_size,
                  sizeof(rec));
      with += rec.cmdline_len != 0;
      keyword += (rec.reasons & PROCINFO_REASON_KEYWORD) != 0;
    }
    return with;
  };
  r = fresh();
  if (expect("SNAPSHOT plain, for command lines", ::ioctl(fd, PROCINFO_IOC_SNAPSHOT, &r), 0)) {
    std::uint32_t keyword = 0;
    const std::uint32_t with = cmdline_records(r, keyword);
    fmt::print("{} plain: {} of {} records with a command line\n", with > 0 ? "ok  " : "FAIL",
               with, r.nr_records);
    failures += with == 0;
  }
  r = fresh();
  r.flags = PROCINFO_SNAP_NO_CMDLINE;
  if (expect("SNAPSHOT NO_CMDLINE", ::ioctl(fd, PROCINFO_IOC_SNAPSHOT, &r), 0)) {
    std::uint32_t keyword = 0;
    const std::uint32_t with = cmdline_records(r, keyword);
    const bool ok = with == 0 && keyword == 0 && r.nr_records > 0;
    fmt::print("{} NO_CMDLINE: {} of {} records with a command line, {} with the keyword "
               "reason\n",
               ok ? "ok  " : "FAIL", with, r.nr_records, keyword);
    failures += !ok;
  }
  // A pending snapshot goes only to a RETRY with the same NO_CMDLINE.
  for (const std::uint32_t first : {0u, std::uint32_t{PROCINFO_SNAP_NO_CMDLINE}}) {
    r = fresh();
    r.buf_len = 64;
    r.flags = first;
    if (!expect(fmt::format("short buffer, flags {:#x}", first).c_str(),
                ::ioctl(fd, PROCINFO_IOC_SNAPSHOT, &r), ENOSPC))
      continue;
    const auto ts = r.timestamp_ns;
    r = fresh();
    r.flags = PROCINFO_SNAP_RETRY | (first ^ PROCINFO_SNAP_NO_CMDLINE);
    if (expect(fmt::format("RETRY, flags {:#x}", r.flags).c_str(),
               ::ioctl(fd, PROCINFO_IOC_SNAPSHOT, &r), 0)) {
      std::uint32_t keyword = 0;
      const std::uint32_t with = cmdline_records(r, keyword);
      const bool ok = r.timestamp_ns != ts && (with == 0) == (first == 0);
      fmt::print("{} RETRY with the other NO_CMDLINE took a new snapshot ({} != {}) with {} "
                 "command lines\n",
                 ok ? "ok  " : "FAIL", r.timestamp_ns, ts, with);
      failures += !ok;
    }
  }
  // A RETRY that is still too short keeps the pending snapshot; one for
  // another view takes a new snapshot of that view.
  r = fresh();
  r.buf_len = 64;
  if (expect("short buffer again", ::ioctl(fd, PROCINFO_IOC_SNAPSHOT, &r), ENOSPC)) {
    const auto ts = r.timestamp_ns;
    r = fresh();
    r.buf_len = 64;
    r.flags = PROCINFO_SNAP_RETRY;
    if (expect("RETRY still too short", ::ioctl(fd, PROCINFO_IOC_SNAPSHOT, &r), ENOSPC)) {
      fmt::print("{} still pending: timestamp {} == {}\n", r.timestamp_ns == ts ? "ok  " : "FAIL",
                 r.timestamp_ns, ts);
      failures += r.timestamp_ns != ts;
    }
    r = fresh();
    r.flags = PROCINFO_SNAP_RETRY | PROCINFO_SNAP_CONTAINERS;
    if (expect("RETRY for the containers view", ::ioctl(fd, PROCINFO_IOC_SNAPSHOT, &r), 0)) {
      bool only = true;
      for (std::uint32_t k = 0; k < r.nr_records; ++k) {
        procinfo_record rec;
        std::memcpy(&rec, buf.data() + r.records_offset + k * r.record_size, sizeof(rec));
        only &= (rec.flags & PROCINFO_REC_CONTAINER) != 0;
      }
      const bool fresh_snap = r.timestamp_ns != ts;
      fmt::print("{} containers RETRY: a new snapshot ({}), {} records, all containers {}\n",
                 only && fresh_snap ? "ok  " : "FAIL", fresh_snap, r.nr_records, only);
      failures += !(only && fresh_snap);
    }
  }
  // Any alignment of the output buffer works.
  {
    r = fresh();
    const auto aligned = (::ioctl(fd, PROCINFO_IOC_SNAPSHOT, &r) == 0) ? r.nr_records : 0;
    r = fresh();
    r.buf += 3;
    r.buf_len -= 3;
    if (expect("buffer at an odd address", ::ioctl(fd, PROCINFO_IOC_SNAPSHOT, &r), 0)) {
      procinfo_record rec;
      std::memcpy(&rec, buf.data() + 3, sizeof(rec));
      const bool sane = rec.pid == 1 && r.nr_records + 5 > aligned && r.nr_records < aligned + 5;
      fmt::print("{} odd address: first pid {}, {} records (aligned: {})\n", sane ? "ok  " : "FAIL",
                 rec.pid, r.nr_records, aligned);
      failures += !sane;
    }
  }
  r = fresh();
  r.buf = 0;
  r.buf_len = 0;
  if (expect("size query (buf 0, buf_len 0)", ::ioctl(fd, PROCINFO_IOC_SNAPSHOT, &r), ENOSPC))
    fmt::print("{} size query: needed {}\n", r.needed ? "ok  " : "FAIL", r.needed);
  r = fresh();
  r.flags = PROCINFO_SNAP_RETRY;
  expect("RETRY without a pending snapshot", ::ioctl(fd, PROCINFO_IOC_SNAPSHOT, &r), 0);
  r = fresh();
  r.flags = PROCINFO_SNAP_CONTAINERS;
  expect("containers view", ::ioctl(fd, PROCINFO_IOC_SNAPSHOT, &r), 0);

  // A newer caller's larger struct: zero tail accepted, non-zero E2BIG.
  BigReq big{};
  big.req = fresh();
  big.req.size = sizeof(big);
  if (expect("size 144 with a zero tail", ::ioctl(fd, PROCINFO_IOC_SNAPSHOT, &big), 0)) {
    const bool tail_kept = big.tail[0] == 0 && big.tail[1] == 0;
    fmt::print("{} tail not written back\n", tail_kept ? "ok  " : "FAIL");
    failures += !tail_kept;
  }
  big = BigReq{};
  big.req = fresh();
  big.req.size = sizeof(big);
  big.tail[1] = 1;
  expect("size 144 with a non-zero tail", ::ioctl(fd, PROCINFO_IOC_SNAPSHOT, &big), E2BIG);
  {
    // A huge size whose tail crosses into an unmapped page.
    long pg = ::sysconf(_SC_PAGESIZE);
    auto* m = static_cast<unsigned char*>(
        ::mmap(nullptr, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    ::munmap(m + pg, pg);
    auto* rp = reinterpret_cast<procinfo_snapshot_req*>(m + pg - sizeof(procinfo_snapshot_req));
    *rp = fresh();
    rp->size = sizeof(procinfo_snapshot_req) + 64;
    expect("size past the end of the mapping", ::ioctl(fd, PROCINFO_IOC_SNAPSHOT, rp), EFAULT);
    ::munmap(m, pg);
  }
  {
    // Larger than a page, even with a zero tail: E2BIG before any of
    // it is read (as clone3 and openat2).
    long pg = ::sysconf(_SC_PAGESIZE);
    std::vector<unsigned char> huge(2 * pg, 0);
    auto* hp = reinterpret_cast<procinfo_snapshot_req*>(huge.data());
    *hp = fresh();
    hp->size = static_cast<std::uint32_t>(pg + 8);
    expect("size above the page size", ::ioctl(fd, PROCINFO_IOC_SNAPSHOT, hp), E2BIG);
    hp->size = 0xffffffffu;
    expect("size 4 GiB - 1", ::ioctl(fd, PROCINFO_IOC_SNAPSHOT, hp), E2BIG);
  }
  // The 1.x numbers (magic 0xB8, now mainline's /dev/mshv) are not ours.
  expect("ABI 1.x VERSION number", ::ioctl(fd, PROCINFO_IOC_VERSION_V1, &ver), ENOTTY);
  expect("ABI 1.x SNAPSHOT number",
         ::ioctl(fd, _IOWR(0xB8, 0x02, struct procinfo_snapshot_req), &r), ENOTTY);
  ::close(fd);
  fmt::print("errors: {}\n", failures ? "FAILED" : "OK");
  return failures ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"procinfo-check: checks procinfo outputs against /proc"};
  app.require_subcommand(1);

  Common jc;
  std::string jfile;
  bool no_truth = false;
  auto* json = app.add_subcommand("json", "check a JSON document");
  json->add_option("FILE", jfile, "document (e.g. /proc/sysinfo_so1_202041390)")->required();
  json->add_option("--strict-pids", jc.strict, "stopped pids: every field exact (a,b,c)");
  json->add_option("--require-pids-file", jc.required_file, "pids that must be listed");
  json->add_option("--view", jc.view, "all|containers|auto")
      ->check(CLI::IsMember({"all", "containers", "auto"}));
  json->add_flag("--no-truth", no_truth, "validate the document alone");
  json->add_flag("--exact-set", jc.exact_set,
                 "a listed pid absent from both /proc walks is an error (quiet systems)");

  Common dc;
  dc.view = "all";
  std::string djson;
  auto* dev = app.add_subcommand("device", "check a device snapshot");
  dev->add_option("--strict-pids", dc.strict, "stopped pids: every field exact");
  dev->add_option("--require-pids-file", dc.required_file, "pids that must be listed");
  dev->add_option("--view", dc.view, "all|containers")->check(CLI::IsMember({"all", "containers"}));
  dev->add_option("--json", djson, "also compare with this JSON document, read after");
  bool dev_no_truth = false;
  dev->add_flag("--no-truth", dev_no_truth, "check the snapshot's layout alone");
  dev->add_flag("--exact-set", dc.exact_set,
                "a listed pid absent from both /proc walks is an error (quiet systems)");

  std::string gpid;
  std::vector<std::string> gfields;
  std::string gjson, gview = "auto";
  bool gdev = false;
  auto* get = app.add_subcommand(
      "get", "print fields of one process, one per line; of every process with PID all");
  get->add_option("PID", gpid, "a pid, or all: one tab-separated line per process")
      ->required()
      ->check(CLI::IsMember({"all"}) | CLI::NonNegativeNumber);
  get->add_option("FIELD", gfields, "one or more fields")->required();
  get->add_option("--json", gjson, "from this document");
  get->add_flag("--device", gdev, "from a device snapshot");
  get->add_option("--view", gview, "all|containers|auto");
  int grepeat = 1;
  get->add_option("--repeat", grepeat, "with --device: take N snapshots, print the fields of each")
      ->check(CLI::PositiveNumber);

  int iterations = 5;
  auto* tm = app.add_subcommand("time", "time JSON reads, device snapshots, procfs walk");
  tm->add_option("--iterations", iterations)->check(CLI::PositiveNumber);
  bool skip_walk = false;
  tm->add_flag("--skip-walk", skip_walk, "no procfs walk (for leak loops)");

  auto* errors = app.add_subcommand("errors", "check the ioctl error contract");

  bool ref_containers = false;
  auto* ref =
      app.add_subcommand("reference", "print the document the contract prescribes, from /proc");
  ref->add_flag("--containers", ref_containers, "the continfo view");

  CLI11_PARSE(app, argc, argv);
  try {
    if (*json) return cmd_json(jfile, jc, no_truth);
    if (*dev) return cmd_device(dc, djson, dev_no_truth);
    if (*get) return cmd_get(gpid, gfields, gjson, gdev, gview, grepeat);
    if (*tm) return cmd_time(iterations, skip_walk);
    if (*errors) return cmd_errors();
    if (*ref) {
      fmt::print("{}", jsondoc::reference(truth::read_all(false), ref_containers));
      return 0;
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "procinfo-check: {}\n", e.what());
    return 2;
  }
  return 2;
}
