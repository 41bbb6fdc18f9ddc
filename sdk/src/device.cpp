// SPDX-License-Identifier: GPL-2.0 OR MIT
// The ioctl source: /dev/procinfo.
#include <procinfo/error.hpp>

#include "container_match.h"
#include "internal.hpp"
#include "sys.hpp"
#include "text.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

namespace procinfo::detail {
namespace {

static_assert(cgroup_max == PROCINFO_CGROUP_MAX && container_id_max == PROCINFO_CONTAINER_ID_MAX);
static_assert(ContainerReason::keyword == ContainerReason{PROCINFO_REASON_KEYWORD} &&
              ContainerReason::cgroup == ContainerReason{PROCINFO_REASON_CGROUP} &&
              ContainerReason::pidns == ContainerReason{PROCINFO_REASON_PIDNS});
static_assert(ProcessFlag::cmdline_unavailable == ProcessFlag{PROCINFO_REC_CMDLINE_UNAVAILABLE} &&
              ProcessFlag::cgroup_cut == ProcessFlag{PROCINFO_REC_CGROUP_CUT} &&
              ProcessFlag::container_id_cut == ProcessFlag{PROCINFO_REC_CONTAINER_ID_CUT});
static_assert(static_cast<unsigned>(Runtime::docker) == PROCINFO_RUNTIME_DOCKER &&
              static_cast<unsigned>(Runtime::nspawn) == PROCINFO_RUNTIME_NSPAWN);

// One string of a record in the string area, checked against its bounds.
std::string_view record_string(std::string_view strings, std::uint64_t offset, std::uint64_t len,
                               std::uint64_t max, std::string_view what, std::uint32_t pid,
                               const std::string& file) {
  if (offset + len > strings.size() || len > max)
    throw ParseError(file, offset,
                     fmt::format("a {} of at most {} bytes inside the string area of {} bytes "
                                 "(pid {})",
                                 what, max, strings.size(), pid));
  return strings.substr(offset, len);
}

// Grows past needed so a few new processes between sizing and reading fit.
std::size_t with_slack(std::uint64_t needed) {
  return static_cast<std::size_t>(needed + needed / 8 + 4096);
}

constexpr int max_attempts = 16;
constexpr std::size_t initial_buffer = static_cast<std::size_t>(256) << 10;

std::system_error ioctl_error(int err, const std::string& path, std::string_view what) {
  return {std::error_code(err, std::generic_category()),
          fmt::format("{}: {} failed — is the procinfo-dkms package up to date with this "
                      "libprocinfo?",
                      path, what)};
}

}  // namespace

Process decode_record(const procinfo_record& rec, std::string_view strings, const std::string& file,
                      bool identity) {
  Process p;
  p.pid = rec.pid;
  const auto* comm = reinterpret_cast<const char*>(rec.comm);
  p.name = sanitize_utf8(std::string_view(comm, strnlen(comm, sizeof(rec.comm))));
  if (static_cast<std::uint64_t>(rec.cmdline_offset) + rec.cmdline_len > strings.size() ||
      rec.cmdline_len > PROCINFO_CMDLINE_MAX)
    throw ParseError(file, rec.cmdline_offset,
                     fmt::format("a command line inside the string area of {} bytes (pid {})",
                                 strings.size(), rec.pid));
  p.cmdline = cmdline_from_raw(strings.substr(rec.cmdline_offset, rec.cmdline_len));
  p.vsz_kb = rec.vsz_kb;
  p.rss_kb = rec.rss_kb;
  p.mem_pct_x100 = rec.mem_pct_x100;
  p.cpu_ticks = rec.cpu_ticks;
  p.state = static_cast<char>(rec.state);
  p.ppid = rec.ppid;
  p.uid = rec.uid;
  p.gid = rec.gid;
  p.nr_threads = rec.nr_threads;
  p.utime_ns = rec.utime_ns;
  p.stime_ns = rec.stime_ns;
  p.start_time_ns = rec.start_time_ns;
  p.flags = ProcessFlag{rec.flags};
  if (identity) {
    p.cgroup = sanitize_utf8(record_string(strings, rec.cgroup_offset, rec.cgroup_len,
                                           PROCINFO_CGROUP_MAX, "cgroup path", rec.pid, file));
    p.container_id =
        sanitize_utf8(record_string(strings, rec.container_id_offset, rec.container_id_len,
                                    container_id_max, "container id", rec.pid, file));
    p.pod_uid = sanitize_utf8(record_string(strings, rec.pod_uid_offset, rec.pod_uid_len,
                                            PROCINFO_POD_UID_MAX, "pod uid", rec.pid, file));
    p.runtime = static_cast<Runtime>(rec.runtime);
    p.reasons = ContainerReason{rec.reasons};
  }
  return p;
}

DeviceReader::DeviceReader(std::string path) : path_(std::move(path)), dev_(File::open(path_)) {
  if (!dev_.valid()) throw open_error(errno, path_);

  if (dev_.ioctl(PROCINFO_IOC_VERSION, &version_) < 0) {
    const int err = errno;
    if (err == ENOTTY) {
      // A driver before ABI 2.0 answers only the old ioctl numbers.
      procinfo_version old{};
      if (dev_.ioctl(PROCINFO_IOC_VERSION_V1, &old) == 0 && old.major == 1)
        throw AbiMismatch(fmt::format(
            "{}: driver ABI {}.{} (ioctl magic 0xB8), this libprocinfo speaks {}.x — update "
            "the procinfo-dkms package (then: sudo rmmod continfo sysinfo; sudo modprobe "
            "sysinfo)",
            path_, old.major, old.minor, PROCINFO_ABI_MAJOR));
      throw std::system_error(std::error_code(err, std::generic_category()),
                              fmt::format("{} is not a procinfo device (the version query was "
                                          "refused) — is the right sysinfo.ko loaded?",
                                          path_));
    }
    throw ioctl_error(err, path_, "PROCINFO_IOC_VERSION");
  }
  if (version_.major != PROCINFO_ABI_MAJOR)
    throw AbiMismatch(fmt::format(
        "{}: driver ABI {}.{}, this libprocinfo speaks {}.x — update libprocinfo or the "
        "procinfo-dkms package",
        path_, version_.major, version_.minor, PROCINFO_ABI_MAJOR));
}

// Makes room for at least bytes, 8-byte aligned. Not zero-filled: the driver
// writes what it reports and nothing past it is read.
void DeviceReader::reserve(std::size_t bytes) {
  const std::size_t words = bytes / sizeof(std::uint64_t) + 1;
  if (words <= words_) return;
  storage_ = std::make_unique_for_overwrite<std::uint64_t[]>(words);
  words_ = words;
}

Snapshot DeviceReader::read(View view, bool cmdlines) {
  // A first read starts small; later ones have the last snapshot's room.
  reserve(initial_buffer);

  const bool skip_cmdlines = !cmdlines && (version_.features & PROCINFO_FEAT_NO_CMDLINE);
  procinfo_snapshot_req req{};
  std::uint32_t flags = view == View::containers ? PROCINFO_SNAP_CONTAINERS : 0;
  if (skip_cmdlines) flags |= PROCINFO_SNAP_NO_CMDLINE;
  for (int attempt = 0;; ++attempt) {
    req = procinfo_snapshot_req{};
    req.size = sizeof(req);
    req.flags = flags;
    req.buf = reinterpret_cast<std::uintptr_t>(storage_.get());
    req.buf_len = words_ * sizeof(std::uint64_t);
    if (dev_.ioctl(PROCINFO_IOC_SNAPSHOT, &req) == 0) break;
    const int err = errno;
    if (err != ENOSPC) throw ioctl_error(err, path_, "PROCINFO_IOC_SNAPSHOT");
    if (attempt + 1 >= max_attempts)
      throw std::system_error(
          std::error_code(err, std::generic_category()),
          fmt::format("{}: the snapshot did not fit after {} attempts ({} bytes needed)", path_,
                      max_attempts, req.needed));
    if (req.needed <= req.buf_len)
      throw ParseError(
          path_, 0, fmt::format("ENOSPC with needed ({}) > buf_len ({})", req.needed, req.buf_len));
    // The retry hands out the pending snapshot, so `needed` fits exactly;
    // the slack covers a driver that took a new one.
    reserve(with_slack(req.needed));
    if (version_.features & PROCINFO_FEAT_RETRY) flags |= PROCINFO_SNAP_RETRY;
  }

  const auto* base = reinterpret_cast<const char*>(storage_.get());
  const std::uint64_t buf_len = req.buf_len;
  if (req.record_size < sizeof(procinfo_record) ||
      req.records_offset + static_cast<std::uint64_t>(req.nr_records) * req.record_size >
          buf_len ||
      req.strings_offset + req.strings_len > buf_len)
    throw ParseError(path_, 0,
                     fmt::format("a snapshot layout inside the buffer (record_size {}, "
                                 "{} records at {}, {} string bytes at {}, buffer {})",
                                 req.record_size, req.nr_records, req.records_offset,
                                 req.strings_len, req.strings_offset, buf_len));

  const bool identity = (version_.features & PROCINFO_FEAT_CONTAINER_ID) != 0;
  Snapshot snap;
  snap.mem_total_kb = req.mem_total_kb;
  snap.mem_free_kb = req.mem_free_kb;
  // The snapshot's own rate; the version answer's for a driver that leaves it 0.
  if (const std::uint32_t hz = req.user_hz != 0 ? req.user_hz : version_.user_hz; hz != 0)
    snap.user_hz = hz;
  snap.processes.reserve(req.nr_records);
  const std::string_view strings(base + req.strings_offset, req.strings_len);
  for (std::uint32_t i = 0; i < req.nr_records; ++i) {
    procinfo_record rec;
    std::memcpy(&rec, base + req.records_offset + static_cast<std::uint64_t>(i) * req.record_size,
                sizeof(rec));
    if (!cmdlines && !skip_cmdlines) {
      // An older driver read them: leave them out as a newer one does.
      rec.cmdline_len = 0;
      rec.reasons &= ~PROCINFO_REASON_KEYWORD;
    }
    snap.processes.push_back(decode_record(rec, strings, path_, identity));
  }
  return snap;
}

Snapshot read_device(const std::string& path, View view) {
  return DeviceReader(path).read(view, true);
}

}  // namespace procinfo::detail
