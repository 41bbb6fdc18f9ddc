// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "device.hpp"

#include "procinfo_text.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

namespace procinfo::device {

namespace {
constexpr unsigned char pattern = 0xa5;

bool all_zero(const void* p, std::size_t n) {
  auto* b = static_cast<const unsigned char*>(p);
  for (std::size_t i = 0; i < n; ++i)
    if (b[i]) return false;
  return true;
}
}  // namespace

int open_device(std::vector<std::string>& errors) {
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) errors.push_back(fmt::format("open {}: {}", path, std::strerror(errno)));
  return fd;
}

bool version(int fd, procinfo_version& ver, std::vector<std::string>& errors) {
  std::memset(&ver, pattern, sizeof(ver));
  if (::ioctl(fd, PROCINFO_IOC_VERSION, &ver) != 0) {
    errors.push_back(fmt::format("PROCINFO_IOC_VERSION: {}", std::strerror(errno)));
    return false;
  }
  auto err = [&](std::string m) { errors.push_back("version: " + std::move(m)); };
  if (ver.major != PROCINFO_ABI_MAJOR) {
    err(fmt::format("driver ABI {}.{}, this reader speaks {}.{}", ver.major, ver.minor,
                    PROCINFO_ABI_MAJOR, PROCINFO_ABI_MINOR));
    return false;
  }
  if (ver.record_size < sizeof(procinfo_record) || ver.record_size % 8)
    err(fmt::format("record_size {} (sizeof {})", ver.record_size, sizeof(procinfo_record)));
  if (ver.minor == 0 && ver.record_size != PROCINFO_RECORD_SIZE_VER0)
    err(fmt::format("ABI x.0 but record_size {} != {}", ver.record_size,
                    PROCINFO_RECORD_SIZE_VER0));
  if (ver.req_size < PROCINFO_SNAPSHOT_REQ_SIZE_VER0)
    err(fmt::format("req_size {} < {}", ver.req_size, PROCINFO_SNAPSHOT_REQ_SIZE_VER0));
  const long hz = ::sysconf(_SC_CLK_TCK);
  if (ver.user_hz != static_cast<std::uint32_t>(hz))
    err(fmt::format("user_hz {}, sysconf(_SC_CLK_TCK) {}", ver.user_hz, hz));
  const long ps = ::sysconf(_SC_PAGESIZE);
  if (ver.page_size != static_cast<std::uint32_t>(ps))
    err(fmt::format("page_size {}, sysconf(_SC_PAGESIZE) {}", ver.page_size, ps));
  const std::uint64_t known = PROCINFO_FEAT_CONTAINERS_VIEW | PROCINFO_FEAT_RETRY;
  if ((ver.features & known) != known)
    err(fmt::format("features {:#x} lack CONTAINERS_VIEW|RETRY", ver.features));
  if (ver.minor == 0 && (ver.features & ~known))
    err(fmt::format("ABI x.0 with unknown feature bits {:#x}", ver.features & ~known));
  if (!all_zero(ver.reserved, sizeof(ver.reserved))) err("reserved not zero");
  return true;
}

std::string flag_names(std::uint32_t f) {
  std::string out;
  auto add = [&](std::uint32_t bit, const char* n) {
    if (f & bit) {
      out += out.empty() ? "" : ",";
      out += n;
      f &= ~bit;
    }
  };
  add(PROCINFO_REC_KTHREAD, "kthread");
  add(PROCINFO_REC_CONTAINER, "container");
  add(PROCINFO_REC_CMDLINE_TRUNCATED, "truncated");
  add(PROCINFO_REC_NO_MM, "no_mm");
  add(PROCINFO_REC_CMDLINE_UNAVAILABLE, "cmdline_unavailable");
  add(PROCINFO_REC_CGROUP_CUT, "cgroup_cut");
  add(PROCINFO_REC_CONTAINER_ID_CUT, "container_id_cut");
  if (f) out += fmt::format("{}{:#x}", out.empty() ? "" : ",", f);
  return out.empty() ? "-" : out;
}

std::string reason_names(std::uint32_t r) {
  std::string out;
  for (auto [bit, name] :
       {std::pair{PROCINFO_REASON_KEYWORD, "keyword"}, std::pair{PROCINFO_REASON_CGROUP, "cgroup"},
        std::pair{PROCINFO_REASON_PIDNS, "pidns"}}) {
    if (r & bit) {
      out += out.empty() ? "" : ",";
      out += name;
    }
  }
  return out.empty() ? "-" : out;
}

bool snapshot(int fd, std::uint32_t flags, std::vector<unsigned char>& buf, Snapshot& snap,
              bool check, std::vector<std::string>& errors) {
  auto err = [&](std::string m) { errors.push_back(std::move(m)); };
  snap.records.clear();
  snap.enospc = 0;
  if (buf.empty()) buf.resize(4096);
  auto& req = snap.req;
  std::uint32_t f = flags;
  for (int attempt = 0;; ++attempt) {
    if (check) std::memset(buf.data(), pattern, buf.size());
    req = procinfo_snapshot_req{};
    req.size = sizeof(req);
    req.flags = f;
    req.buf = reinterpret_cast<std::uintptr_t>(buf.data());
    req.buf_len = buf.size();
    if (::ioctl(fd, PROCINFO_IOC_SNAPSHOT, &req) == 0) break;
    if (errno != ENOSPC || attempt >= 3) {
      err(fmt::format("PROCINFO_IOC_SNAPSHOT (flags {:#x}, buf_len {}): {}", f, buf.size(),
                      std::strerror(errno)));
      return false;
    }
    ++snap.enospc;
    if (req.needed <= buf.size()) {
      err(fmt::format("ENOSPC with needed {} <= buf_len {}", req.needed, buf.size()));
      return false;
    }
    if (check && req.nr_records != 0) err(fmt::format("ENOSPC with nr_records {}", req.nr_records));
    if (check)
      for (std::size_t i = 0; i < buf.size(); ++i)
        if (buf[i] != pattern) {
          err(fmt::format("ENOSPC but buffer written at byte {}", i));
          break;
        }
    if (attempt >= 1)
      err(fmt::format("PROCINFO_SNAP_RETRY answered ENOSPC again (needed {})", req.needed));
    buf.resize(req.needed);
    f = flags | PROCINFO_SNAP_RETRY;
  }

  if (check && req.size != sizeof(req)) err(fmt::format("req.size changed to {}", req.size));
  if (!decode(buf.data(), buf.size(), flags, snap, check, errors)) return false;
  if (check) {
    // Bytes past the snapshot are not written.
    const std::uint64_t end = req.strings_offset + req.strings_len;
    for (std::uint64_t i = end; i < buf.size(); ++i)
      if (buf[i] != pattern) {
        err(fmt::format("byte {} past the string area ({}) was written", i, end));
        break;
      }
    // A gap between records and strings is either untouched or zero.
    const std::uint64_t rec_end = req.records_offset + req.record_size * req.nr_records;
    if (req.strings_offset > rec_end) {
      const unsigned char g = buf[rec_end];
      if (g != 0 && g != pattern) err("gap between records and strings holds data");
      for (std::uint64_t i = rec_end; i < req.strings_offset; ++i)
        if (buf[i] != g) {
          err("gap between records and strings is not uniform");
          break;
        }
    }
  }
  return true;
}

bool decode(const unsigned char* buf, std::size_t buf_size, std::uint32_t flags, Snapshot& snap,
            bool check, std::vector<std::string>& errors) {
  auto err = [&](std::string m) { errors.push_back(std::move(m)); };
  const auto& req = snap.req;
  snap.records.clear();
  const std::uint64_t rs = req.record_size;
  if (rs < sizeof(procinfo_record)) {
    err(fmt::format("record_size {} < {}", rs, sizeof(procinfo_record)));
    return false;
  }
  const std::uint64_t rec_end = req.records_offset + rs * req.nr_records;
  if (rec_end > req.buf_len || req.buf_len > buf_size ||
      req.strings_offset + req.strings_len > req.buf_len || req.strings_offset < rec_end) {
    err(fmt::format("areas out of bounds: records {}+{}x{}, strings {}+{}, buf_len {}",
                    req.records_offset, req.nr_records, rs, req.strings_offset, req.strings_len,
                    req.buf_len));
    return false;
  }
  if (check) {
    if (req.records_offset != 0) err(fmt::format("records_offset {} != 0", req.records_offset));
    if (snap.ver.record_size && rs != snap.ver.record_size)
      err(fmt::format("record_size {} != version record_size {}", rs, snap.ver.record_size));
    if (req.needed < req.strings_offset + req.strings_len || req.needed > req.buf_len)
      err(fmt::format("needed {} vs strings end {} / buf_len {}", req.needed,
                      req.strings_offset + req.strings_len, req.buf_len));
    const long hz = ::sysconf(_SC_CLK_TCK);
    if (req.user_hz != static_cast<std::uint32_t>(hz))
      err(fmt::format("req.user_hz {} != {}", req.user_hz, hz));
    if (req.reserved0 || !all_zero(req.reserved, sizeof(req.reserved)))
      err("req reserved fields not zero on output");
    if (req.mem_free_kb > req.mem_total_kb || req.mem_total_kb == 0)
      err(fmt::format("mem_total_kb {} mem_free_kb {}", req.mem_total_kb, req.mem_free_kb));
  }

  const unsigned char* strings = buf + req.strings_offset;
  std::uint32_t prev_pid = 0;
  for (std::uint32_t k = 0; k < req.nr_records; ++k) {
    const unsigned char* p = buf + req.records_offset + rs * k;
    Record rec;
    std::memcpy(&rec.r, p, sizeof(rec.r));
    auto& r = rec.r;
    const void* nul = std::memchr(r.comm, 0, sizeof(r.comm));
    const std::size_t clen = nul ? static_cast<const unsigned char*>(nul) - r.comm : sizeof(r.comm);
    rec.comm.assign(reinterpret_cast<const char*>(r.comm), clen);
    const bool cmd_ok = std::uint64_t(r.cmdline_offset) + r.cmdline_len <= req.strings_len;
    if (cmd_ok)
      rec.cmdline.assign(reinterpret_cast<const char*>(strings) + r.cmdline_offset, r.cmdline_len);
    auto in_strings = [&](std::uint32_t off, std::uint32_t len) {
      return std::uint64_t(off) + len <= req.strings_len;
    };
    auto take = [&](std::uint32_t off, std::uint32_t len) {
      return in_strings(off, len) ? std::string(reinterpret_cast<const char*>(strings) + off, len)
                                  : std::string();
    };
    rec.cgroup = take(r.cgroup_offset, r.cgroup_len);
    rec.container_id = take(r.container_id_offset, r.container_id_len);
    rec.pod_uid = take(r.pod_uid_offset, r.pod_uid_len);
    if (check) {
      auto rerr = [&](std::string m) {
        err(fmt::format("record {} pid {} \"{}\": {}", k, r.pid, text::printable(rec.comm), m));
      };
      if (k && r.pid <= prev_pid)
        rerr(fmt::format("pid after {} (not strictly ascending)", prev_pid));
      if (r.pid == 0) rerr("pid 0");
      if (!all_zero(r.pad0, sizeof(r.pad0)) || r.pad1) rerr("padding not zero");
      if (!all_zero(r.reserved, sizeof(r.reserved))) rerr("reserved not zero");
      if (rs > sizeof(procinfo_record) && snap.ver.minor == 0 &&
          !all_zero(p + sizeof(procinfo_record), rs - sizeof(procinfo_record)))
        rerr("bytes past the known record not zero");
      if (clen >= sizeof(r.comm))
        rerr("comm not NUL-terminated");
      else if (!all_zero(r.comm + clen, sizeof(r.comm) - clen))
        rerr("comm not NUL-padded");
      if (std::string_view("RSDTtXZPI").find(static_cast<char>(r.state)) == std::string_view::npos)
        rerr(fmt::format("state {:#x}", r.state));
      if (r.flags & ~std::uint32_t(PROCINFO_REC_ALL_FLAGS))
        rerr(fmt::format("unknown flags {:#x}", r.flags));
      if (r.pad2) rerr("pad2 not zero");
      if (!in_strings(r.cgroup_offset, r.cgroup_len) ||
          !in_strings(r.container_id_offset, r.container_id_len) ||
          !in_strings(r.pod_uid_offset, r.pod_uid_len))
        rerr("a cgroup / container id / pod uid outside the string area");
      if (r.cgroup_len > PROCINFO_CGROUP_MAX)
        rerr(fmt::format("cgroup_len {} > {}", r.cgroup_len, PROCINFO_CGROUP_MAX));
      if (r.reasons & ~std::uint32_t(PROCINFO_REASON_ALL))
        rerr(fmt::format("unknown reasons {:#x}", r.reasons));
      if (bool(r.reasons & PROCINFO_REASON_CGROUP) != (r.runtime != 0) ||
          r.runtime > PROCINFO_RUNTIME_NSPAWN)
        rerr(fmt::format("runtime {} with reasons {:#x}", r.runtime, r.reasons));
      if (!r.runtime && (r.container_id_len || r.pod_uid_len))
        rerr("a container id or pod uid without a runtime");
      if (!cmd_ok)
        rerr(fmt::format("cmdline {}+{} outside the string area ({})", r.cmdline_offset,
                         r.cmdline_len, req.strings_len));
      if (r.cmdline_len > PROCINFO_CMDLINE_MAX)
        rerr(fmt::format("cmdline_len {} > {}", r.cmdline_len, PROCINFO_CMDLINE_MAX));
      if (cmd_ok && !rec.cmdline.empty() && rec.cmdline.back() == '\0')
        rerr("cmdline ends with NUL");
      if ((r.flags & PROCINFO_REC_KTHREAD) && !(r.flags & PROCINFO_REC_NO_MM))
        rerr("kthread without no_mm");
      if ((r.flags & PROCINFO_REC_NO_MM) && (r.vsz_kb || r.rss_kb || r.cmdline_len))
        rerr(fmt::format("no_mm but vsz {} rss {} cmdline_len {}", r.vsz_kb, r.rss_kb,
                         r.cmdline_len));
      const bool rule = cmd_ok && text::container_rule(text::join_cmdline(rec.cmdline));
      const bool keyword = r.reasons & PROCINFO_REASON_KEYWORD;
      if (snap.ver.features & PROCINFO_FEAT_CONTAINER_ID ? rule != keyword : r.reasons != 0)
        rerr(fmt::format("keyword reason {} but the rule says {}", keyword, rule));
      const bool container = snap.ver.features & PROCINFO_FEAT_CONTAINER_ID ? r.reasons != 0 : rule;
      if (container != bool(r.flags & PROCINFO_REC_CONTAINER))
        rerr(fmt::format("container flag {} but the rules say {}",
                         bool(r.flags & PROCINFO_REC_CONTAINER), container));
      if ((flags & PROCINFO_SNAP_CONTAINERS) && !(r.flags & PROCINFO_REC_CONTAINER))
        rerr("non-container record in the containers view");
      if (r.mem_pct_x100 != (req.mem_total_kb ? r.rss_kb * 10000 / req.mem_total_kb : 0))
        rerr(fmt::format("mem_pct_x100 {} != rss {} * 10000 / total {}", r.mem_pct_x100, r.rss_kb,
                         req.mem_total_kb));
      if (r.rss_kb > r.vsz_kb) rerr(fmt::format("rss_kb {} > vsz_kb {}", r.rss_kb, r.vsz_kb));
      const std::uint64_t tick_ns = 1000000000ull / req.user_hz;
      if (req.user_hz && r.cpu_ticks != r.utime_ns / tick_ns + r.stime_ns / tick_ns)
        rerr(fmt::format("cpu_ticks {} != utime_ns {}/{} + stime_ns {}/{}", r.cpu_ticks, r.utime_ns,
                         tick_ns, r.stime_ns, tick_ns));
      if (r.nr_threads == 0 && r.state != 'Z' && r.state != 'X') rerr("nr_threads 0");
    }
    prev_pid = r.pid;
    snap.records.push_back(std::move(rec));
  }
  return true;
}

}  // namespace procinfo::device
