// SPDX-License-Identifier: GPL-2.0 OR MIT
// The file: snapshot format (see sdk/file_format.md).
#include <procinfo/error.hpp>
#include <procinfo/source.hpp>
#include <procinfo/text.hpp>

#include "internal.hpp"
#include "sys.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <cstring>

namespace procinfo {
namespace detail {
namespace {

constexpr char magic[8] = {'P', 'R', 'O', 'C', 'S', 'N', 'A', 'P'};
constexpr std::uint32_t format_version = 1;
constexpr std::uint32_t header_size = 80;
constexpr std::uint32_t record_size = 104;

// Bits of a record's "present" word: which optional members are stored.
enum Present : std::uint32_t {
  has_ppid = 1U << 0,
  has_uid = 1U << 1,
  has_gid = 1U << 2,
  has_nr_threads = 1U << 3,
  has_utime = 1U << 4,
  has_stime = 1U << 5,
  has_start_time = 1U << 6,
  has_flags = 1U << 7,
  has_all = (1U << 8) - 1,
};

void put(std::string& out, std::size_t at, std::uint64_t v, std::size_t bytes) {
  for (std::size_t i = 0; i < bytes; ++i) out[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

std::uint64_t get(std::string_view in, std::size_t at, std::size_t bytes) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < bytes; ++i)
    v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in[at + i])) << (8 * i);
  return v;
}

class StringArea {
 public:
  // Appends s; returns its offset.
  std::uint32_t add(std::string_view s) {
    const auto at = static_cast<std::uint32_t>(data_.size());
    data_.append(s);
    return at;
  }
  const std::string& data() const { return data_; }

 private:
  std::string data_;
};

}  // namespace

std::string encode_file(const Snapshot& snapshot) {
  StringArea strings;
  const std::uint32_t source_offset = strings.add(snapshot.source);
  std::string out(header_size + snapshot.processes.size() * record_size, '\0');
  std::memcpy(out.data(), magic, sizeof(magic));
  put(out, 8, format_version, 4);
  put(out, 12, header_size, 4);
  put(out, 16, record_size, 4);
  put(out, 20, snapshot.processes.size(), 4);
  // 24: strings_size, written last
  put(out, 32, snapshot.mem_total_kb, 8);
  put(out, 40, snapshot.mem_free_kb, 8);
  put(out, 48,
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     snapshot.taken_at.time_since_epoch())
                                     .count()),
      8);
  put(out, 56, static_cast<std::uint64_t>(snapshot.read_duration.count()), 8);
  put(out, 64, source_offset, 4);
  put(out, 68, snapshot.source.size(), 4);
  put(out, 72, snapshot.view == View::containers ? 1 : 0, 1);

  std::size_t at = header_size;
  for (const Process& p : snapshot.processes) {
    std::uint32_t present = 0;
    const auto opt = [&](const auto& o, std::uint32_t bit, std::size_t off, std::size_t bytes) {
      if (o) {
        present |= bit;
        put(out, at + off, *o, bytes);
      }
    };
    put(out, at + 0, p.pid, 4);
    opt(p.ppid, has_ppid, 8, 4);
    opt(p.uid, has_uid, 12, 4);
    opt(p.gid, has_gid, 16, 4);
    opt(p.nr_threads, has_nr_threads, 20, 4);
    opt(p.flags, has_flags, 24, 4);
    put(out, at + 28, p.mem_pct_x100, 4);
    put(out, at + 32, p.vsz_kb, 8);
    put(out, at + 40, p.rss_kb, 8);
    put(out, at + 48, p.cpu_ticks, 8);
    opt(p.utime_ns, has_utime, 56, 8);
    opt(p.stime_ns, has_stime, 64, 8);
    opt(p.start_time_ns, has_start_time, 72, 8);
    put(out, at + 4, present, 4);
    put(out, at + 80, strings.add(p.name), 4);
    put(out, at + 84, p.name.size(), 4);
    put(out, at + 88, strings.add(p.cmdline), 4);
    put(out, at + 92, p.cmdline.size(), 4);
    put(out, at + 96, static_cast<unsigned char>(p.state), 1);
    at += record_size;
  }
  put(out, 24, strings.data().size(), 8);
  out.append(strings.data());
  return out;
}

Snapshot decode_file(std::string_view in, const std::string& file) {
  const auto fail = [&](std::size_t offset, const std::string& expected) {
    throw parse_error(file, offset, expected);
  };
  if (in.size() < 16 || std::memcmp(in.data(), magic, sizeof(magic)) != 0) {
    if (in.size() >= sizeof(magic) && std::memcmp(in.data(), magic, sizeof(magic)) != 0)
      fail(0, "the magic \"PROCSNAP\" (not a procinfo snapshot file)");
    fail(in.size(), "a snapshot header (file truncated)");
  }
  const auto version = static_cast<std::uint32_t>(get(in, 8, 4));
  if (version != format_version)
    fail(8, fmt::format("format version {} (this libprocinfo reads version {}; the file was "
                        "written by a different libprocinfo — update it)",
                        version, format_version));
  const auto hsize = static_cast<std::uint32_t>(get(in, 12, 4));
  if (hsize < header_size) fail(12, fmt::format("a header size >= {}", header_size));
  if (in.size() < hsize) fail(in.size(), "a complete header (file truncated)");
  const auto rsize = static_cast<std::uint32_t>(get(in, 16, 4));
  if (rsize < record_size) fail(16, fmt::format("a record size >= {}", record_size));
  const std::uint64_t count = get(in, 20, 4);
  const std::uint64_t strings_size = get(in, 24, 8);
  const std::uint64_t records_end = hsize + count * rsize;
  if (strings_size > in.size() || records_end > in.size() - strings_size)
    fail(in.size(), fmt::format("{} bytes ({} records, {} string bytes) — file truncated",
                                records_end + strings_size, count, strings_size));
  if (records_end + strings_size != in.size())
    fail(records_end + strings_size, "end of file after the string area");
  for (std::size_t i = 73; i < header_size; ++i)
    if (in[i] != 0) fail(i, "zero (reserved)");
  const std::string_view strings = in.substr(records_end, strings_size);
  const auto text = [&](std::size_t field_at, bool utf8) {
    const std::uint64_t off = get(in, field_at, 4);
    const std::uint64_t len = get(in, field_at + 4, 4);
    if (off + len > strings.size())
      fail(field_at, fmt::format("a string inside the string area of {} bytes", strings.size()));
    const std::string_view s = strings.substr(off, len);
    if (utf8 && sanitize_utf8(s) != s) fail(records_end + off, "well-formed UTF-8");
    return std::string(s);
  };

  Snapshot snap;
  snap.mem_total_kb = get(in, 32, 8);
  snap.mem_free_kb = get(in, 40, 8);
  snap.taken_at = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::nanoseconds(static_cast<std::int64_t>(get(in, 48, 8)))));
  snap.read_duration = std::chrono::nanoseconds(static_cast<std::int64_t>(get(in, 56, 8)));
  snap.source = text(64, false);
  const auto view = get(in, 72, 1);
  if (view > 1) fail(72, "a view of 0 (all) or 1 (containers)");
  snap.view = view == 1 ? View::containers : View::all;

  snap.processes.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::size_t at = hsize + i * rsize;
    Process p;
    p.pid = static_cast<std::uint32_t>(get(in, at, 4));
    if (!snap.processes.empty() && snap.processes.back().pid >= p.pid)
      fail(at, "records sorted by ascending pid");
    const auto present = static_cast<std::uint32_t>(get(in, at + 4, 4));
    if (present & ~has_all) fail(at + 4, "known presence bits");
    const auto u32 = [&](std::size_t off) { return static_cast<std::uint32_t>(get(in, at + off, 4)); };
    if (present & has_ppid) p.ppid = u32(8);
    if (present & has_uid) p.uid = u32(12);
    if (present & has_gid) p.gid = u32(16);
    if (present & has_nr_threads) p.nr_threads = u32(20);
    if (present & has_flags) p.flags = u32(24);
    p.mem_pct_x100 = u32(28);
    p.vsz_kb = get(in, at + 32, 8);
    p.rss_kb = get(in, at + 40, 8);
    p.cpu_ticks = get(in, at + 48, 8);
    if (present & has_utime) p.utime_ns = get(in, at + 56, 8);
    if (present & has_stime) p.stime_ns = get(in, at + 64, 8);
    if (present & has_start_time) p.start_time_ns = get(in, at + 72, 8);
    p.name = text(at + 80, true);
    p.cmdline = text(at + 88, true);
    p.state = static_cast<char>(get(in, at + 96, 1));
    for (std::size_t k = 97; k < record_size; ++k)
      if (in[at + k] != 0) fail(at + k, "zero (reserved)");
    snap.processes.push_back(std::move(p));
  }
  return snap;
}

Snapshot read_file_snapshot(const std::string& path) {
  std::string bytes;
  if (!read_file(path, bytes, static_cast<std::size_t>(1) << 31)) throw open_error(errno, path);
  return decode_file(bytes, path);
}

}  // namespace detail

void save_snapshot(const Snapshot& snapshot, const std::string& path) {
  const std::string bytes = detail::encode_file(snapshot);
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    throw std::system_error(std::error_code(errno, std::generic_category()),
                            fmt::format("cannot create {}", tmp));
  const detail::File owner(fd);
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::unlink(tmp.c_str());
      throw std::system_error(std::error_code(err, std::generic_category()),
                              fmt::format("cannot write {}", tmp));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw std::system_error(std::error_code(err, std::generic_category()),
                            fmt::format("cannot rename {} to {}", tmp, path));
  }
}

}  // namespace procinfo
