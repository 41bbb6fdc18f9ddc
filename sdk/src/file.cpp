// SPDX-License-Identifier: GPL-2.0 OR MIT
// The file: snapshot format (see sdk/file_format.md).
#include <procinfo/error.hpp>
#include <procinfo/source.hpp>

#include "internal.hpp"
#include "sys.hpp"
#include "text.hpp"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <limits>
#include <optional>
#include <random>
#include <type_traits>
#include <variant>

namespace procinfo {
namespace detail {
namespace {

constexpr char magic[8] = {'P', 'R', 'O', 'C', 'S', 'N', 'A', 'P'};
// Version 2 added the container identity to the records; version 1 files
// are still read (their processes carry no identity).
constexpr std::uint32_t format_version = 2;
constexpr std::uint32_t format_version_v1 = 1;

// One field of the layout: where it lies and how wide it is. A string is
// an (offset, length) pair of 4-byte integers into the string area.
struct Slot {
  std::uint32_t offset;
  std::uint32_t size;
};

// The header, as encode_file() writes it and decode_file() reads it.
namespace header {
constexpr Slot version{8, 4};
constexpr Slot header_size{12, 4};
constexpr Slot record_size{16, 4};
constexpr Slot record_count{20, 4};
constexpr Slot strings_size{24, 8};
constexpr Slot mem_total_kb{32, 8};
constexpr Slot mem_free_kb{40, 8};
constexpr Slot taken_at_ns{48, 8};
constexpr Slot read_duration_ns{56, 8};
constexpr Slot source{64, 8};
constexpr Slot view{72, 1};
constexpr std::uint32_t size_v1_0 = 80;  // ends before taken_at_boot_ns: reserved up to here
constexpr Slot taken_at_boot_ns{80, 8};
constexpr Slot user_hz{88, 4};  // then 4 bytes reserved
constexpr std::uint32_t size = 96;
}  // namespace header

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
  has_all_v1 = (1U << 8) - 1,
  has_cgroup = 1U << 8,
  has_runtime = 1U << 9,
  has_container_id = 1U << 10,
  has_pod_uid = 1U << 11,
  has_reasons = 1U << 12,
  has_all = (1U << 13) - 1,
};

// The Process member a record field holds.
using Member =
    std::variant<std::uint32_t Process::*, std::uint64_t Process::*, char Process::*,
                 std::string Process::*, std::optional<std::uint32_t> Process::*,
                 std::optional<std::uint64_t> Process::*, std::optional<std::string> Process::*,
                 std::optional<ProcessFlag> Process::*, std::optional<ContainerReason> Process::*,
                 std::optional<Runtime> Process::*>;

struct RecordField {
  std::string_view name;
  Slot slot;
  std::uint32_t present;  // its bit of the present word; 0: always stored
  Member member;
};

constexpr Slot record_pid{0, 4};
constexpr Slot record_present{4, 4};
constexpr std::uint32_t record_size_v1 = 104;  // fields below it are version 1's
constexpr std::uint32_t record_size = 136;

// A record after its pid and present word, field by field; bytes no field
// covers are reserved (zero).
const std::array<RecordField, 20> record_fields = {{
    {"ppid", {8, 4}, has_ppid, &Process::ppid},
    {"uid", {12, 4}, has_uid, &Process::uid},
    {"gid", {16, 4}, has_gid, &Process::gid},
    {"nr_threads", {20, 4}, has_nr_threads, &Process::nr_threads},
    {"flags", {24, 4}, has_flags, &Process::flags},
    {"mem_pct_x100", {28, 4}, 0, &Process::mem_pct_x100},
    {"vsz_kb", {32, 8}, 0, &Process::vsz_kb},
    {"rss_kb", {40, 8}, 0, &Process::rss_kb},
    {"cpu_ticks", {48, 8}, 0, &Process::cpu_ticks},
    {"utime_ns", {56, 8}, has_utime, &Process::utime_ns},
    {"stime_ns", {64, 8}, has_stime, &Process::stime_ns},
    {"start_time_ns", {72, 8}, has_start_time, &Process::start_time_ns},
    {"name", {80, 8}, 0, &Process::name},
    {"cmdline", {88, 8}, 0, &Process::cmdline},
    {"state", {96, 1}, 0, &Process::state},
    {"cgroup", {104, 8}, has_cgroup, &Process::cgroup},
    {"container_id", {112, 8}, has_container_id, &Process::container_id},
    {"pod_uid", {120, 8}, has_pod_uid, &Process::pod_uid},
    {"runtime", {128, 1}, has_runtime, &Process::runtime},
    {"reasons", {129, 1}, has_reasons, &Process::reasons},
}};

// Which bytes of a record no field covers: they must be zero.
const std::array<bool, record_size>& reserved_bytes() {
  static const std::array<bool, record_size> reserved = [] {
    std::array<bool, record_size> r{};
    r.fill(true);
    const auto cover = [&](Slot slot) {
      for (std::uint32_t i = 0; i < slot.size; ++i) r[slot.offset + i] = false;
    };
    cover(record_pid);
    cover(record_present);
    for (const RecordField& f : record_fields) cover(f.slot);
    return r;
  }();
  return reserved;
}

template <typename T>
struct is_optional : std::false_type {};
template <typename T>
struct is_optional<std::optional<T>> : std::true_type {};

void put(std::string& out, std::size_t at, std::uint64_t v, std::size_t bytes) {
  for (std::size_t i = 0; i < bytes; ++i) out[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
}
void put(std::string& out, std::size_t base, Slot slot, std::uint64_t v) {
  put(out, base + slot.offset, v, slot.size);
}

std::uint64_t get(std::string_view in, std::size_t at, std::size_t bytes) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < bytes; ++i)
    v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in[at + i])) << (8 * i);
  return v;
}
std::uint64_t get(std::string_view in, std::size_t base, Slot slot) {
  return get(in, base + slot.offset, slot.size);
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

// Writes one field of p into the record at base.
void encode_field(const RecordField& f, const Process& p, std::string& out, std::size_t base,
                  StringArea& strings, std::uint32_t& present) {
  std::visit(
      [&](auto member) {
        const auto& value = p.*member;
        using T = std::remove_cvref_t<decltype(value)>;
        const auto write = [&](const auto& v) {
          using V = std::remove_cvref_t<decltype(v)>;
          if constexpr (std::is_same_v<V, std::string>) {
            put(out, base + f.slot.offset, strings.add(v), 4);
            put(out, base + f.slot.offset + 4, v.size(), 4);
          } else if constexpr (std::is_same_v<V, char>) {
            put(out, base, f.slot, static_cast<unsigned char>(v));
          } else if constexpr (std::is_enum_v<V>) {
            put(out, base, f.slot, static_cast<std::underlying_type_t<V>>(v));
          } else {
            put(out, base, f.slot, v);
          }
        };
        if constexpr (is_optional<T>::value) {
          if (!value) return;
          present |= f.present;
          write(*value);
        } else {
          write(value);
        }
      },
      f.member);
}

}  // namespace

std::string encode_file(const Snapshot& snapshot) {
  StringArea strings;
  const std::uint32_t source_offset = strings.add(snapshot.source);
  std::string out(header::size + snapshot.processes.size() * record_size, '\0');
  std::memcpy(out.data(), magic, sizeof(magic));
  put(out, 0, header::version, format_version);
  put(out, 0, header::header_size, header::size);
  put(out, 0, header::record_size, record_size);
  put(out, 0, header::record_count, snapshot.processes.size());
  put(out, 0, header::mem_total_kb, snapshot.mem_total_kb);
  put(out, 0, header::mem_free_kb, snapshot.mem_free_kb);
  put(out, 0, header::taken_at_ns,
      static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(snapshot.taken_at.time_since_epoch())
              .count()));
  put(out, 0, header::read_duration_ns, static_cast<std::uint64_t>(snapshot.read_duration.count()));
  put(out, header::source.offset, source_offset, 4);
  put(out, header::source.offset + 4, snapshot.source.size(), 4);
  put(out, 0, header::view, snapshot.view == View::containers ? 1 : 0);
  // 0 stands for "unknown": no live read starts at boot time 0.
  if (snapshot.taken_at_boot)
    put(out, 0, header::taken_at_boot_ns,
        static_cast<std::uint64_t>(snapshot.taken_at_boot->count()));
  if (snapshot.user_hz) put(out, 0, header::user_hz, *snapshot.user_hz);  // 0: unknown

  std::size_t at = header::size;
  for (const Process& p : snapshot.processes) {
    std::uint32_t present = 0;
    put(out, at, record_pid, p.pid);
    for (const RecordField& f : record_fields) encode_field(f, p, out, at, strings, present);
    put(out, at, record_present, present);
    at += record_size;
  }
  put(out, 0, header::strings_size, strings.data().size());
  out.append(strings.data());
  return out;
}

Snapshot decode_file(std::string_view in, const std::string& file) {
  const auto fail = [&](std::size_t offset, const std::string& expected) {
    throw ParseError(file, offset, expected);
  };
  if (in.size() < 16 || std::memcmp(in.data(), magic, sizeof(magic)) != 0) {
    if (in.size() >= sizeof(magic) && std::memcmp(in.data(), magic, sizeof(magic)) != 0)
      fail(0, "the magic \"PROCSNAP\" (not a procinfo snapshot file)");
    fail(in.size(), "a snapshot header (file truncated)");
  }
  const auto version = static_cast<std::uint32_t>(get(in, 0, header::version));
  if (version != format_version && version != format_version_v1)
    fail(header::version.offset,
         fmt::format("format version {} (this libprocinfo reads versions {} and {}; the "
                     "file was written by a newer libprocinfo — update it)",
                     version, format_version_v1, format_version));
  const bool v1 = version == format_version_v1;
  const std::uint32_t min_record = v1 ? record_size_v1 : record_size;
  const std::uint32_t known_present = v1 ? has_all_v1 : has_all;
  const auto hsize = static_cast<std::uint32_t>(get(in, 0, header::header_size));
  if (hsize < header::size_v1_0)
    fail(header::header_size.offset, fmt::format("a header size >= {}", header::size_v1_0));
  if (in.size() < hsize) fail(in.size(), "a complete header (file truncated)");
  const auto rsize = static_cast<std::uint32_t>(get(in, 0, header::record_size));
  if (rsize < min_record)
    fail(header::record_size.offset, fmt::format("a record size >= {}", min_record));
  const std::uint64_t count = get(in, 0, header::record_count);
  const std::uint64_t strings_size = get(in, 0, header::strings_size);
  const std::uint64_t records_end = hsize + count * rsize;
  if (strings_size > in.size() || records_end > in.size() - strings_size)
    fail(in.size(), fmt::format("{} bytes ({} records, {} string bytes) — file truncated",
                                records_end + strings_size, count, strings_size));
  if (records_end + strings_size != in.size())
    fail(records_end + strings_size, "end of file after the string area");
  for (std::size_t i = header::view.offset + header::view.size; i < header::size_v1_0; ++i)
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
  snap.mem_total_kb = get(in, 0, header::mem_total_kb);
  snap.mem_free_kb = get(in, 0, header::mem_free_kb);
  snap.taken_at = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::nanoseconds(static_cast<std::int64_t>(get(in, 0, header::taken_at_ns)))));
  snap.read_duration =
      std::chrono::nanoseconds(static_cast<std::int64_t>(get(in, 0, header::read_duration_ns)));
  snap.source = text(header::source.offset, false);
  const auto view = get(in, 0, header::view);
  if (view > 1) fail(header::view.offset, "a view of 0 (all) or 1 (containers)");
  snap.view = view == 1 ? View::containers : View::all;
  if (hsize >= header::taken_at_boot_ns.offset + header::taken_at_boot_ns.size) {
    const std::uint64_t boot = get(in, 0, header::taken_at_boot_ns);
    if (boot > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      fail(header::taken_at_boot_ns.offset, "a boot time below 2^63 ns");
    if (boot != 0) snap.taken_at_boot = std::chrono::nanoseconds(static_cast<std::int64_t>(boot));
  }
  if (hsize >= header::user_hz.offset + header::user_hz.size) {
    if (const auto hz = static_cast<std::uint32_t>(get(in, 0, header::user_hz)); hz != 0)
      snap.user_hz = hz;
  }

  // Reads one field of the record at base into p.
  const auto decode_field = [&](const RecordField& f, std::size_t base, Process& p) {
    const std::size_t at = base + f.slot.offset;
    std::visit(
        [&](auto member) {
          auto& value = p.*member;
          using T = std::remove_cvref_t<decltype(value)>;
          using V =
              typename std::conditional_t<is_optional<T>::value, T, std::optional<T>>::value_type;
          V v{};
          if constexpr (std::is_same_v<V, std::string>) {
            v = text(at, true);
          } else if constexpr (std::is_same_v<V, char>) {
            v = static_cast<char>(get(in, at, f.slot.size));
            if (process_states.find(v) == std::string_view::npos)
              fail(at, "a state among R S D T t X Z P I");
          } else if constexpr (std::is_same_v<V, ContainerReason>) {
            v = static_cast<ContainerReason>(get(in, at, f.slot.size));
            if (has(v, ~reasons_of(ContainerRule::both))) fail(at, "known reason bits");
          } else {
            v = static_cast<V>(get(in, at, f.slot.size));
          }
          value = std::move(v);
        },
        f.member);
  };

  const auto& reserved = reserved_bytes();
  snap.processes.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::size_t at = hsize + i * rsize;
    Process p;
    p.pid = static_cast<std::uint32_t>(get(in, at, record_pid));
    if (!snap.processes.empty() && snap.processes.back().pid >= p.pid)
      fail(at, "records sorted by ascending pid");
    const auto present = static_cast<std::uint32_t>(get(in, at, record_present));
    if (present & ~known_present) fail(at + record_present.offset, "known presence bits");
    const std::uint32_t known_size = v1 ? record_size_v1 : record_size;
    for (const RecordField& f : record_fields) {
      if (f.slot.offset >= known_size) continue;  // a version 1 record has no identity
      if (f.present == 0 || (present & f.present) != 0) decode_field(f, at, p);
    }
    for (std::size_t k = 0; k < known_size; ++k)
      if (reserved[k] && in[at + k] != 0) fail(at + k, "zero (reserved)");
    snap.processes.push_back(std::move(p));
  }
  return snap;
}

Snapshot read_file_snapshot(const std::string& path) {
  std::string bytes;
  if (!read_file(path, bytes, std::numeric_limits<std::size_t>::max())) throw open_error(errno, path);
  return decode_file(bytes, path);
}

}  // namespace detail

namespace {

[[noreturn]] void save_fail(int err, const std::string& message) {
  throw OsError(std::error_code(err, std::generic_category()), message);
}

std::string errno_text(int err) { return std::generic_category().message(err); }

// Writes all of bytes to fd, retrying on EINTR and after short writes.
// Returns 0 or the errno of the failure.
int write_all(int fd, std::string_view bytes) noexcept {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return EIO;
    done += static_cast<std::size_t>(n);
  }
  return 0;
}

int open_retry(const std::string& path, int flags, mode_t mode = 0) noexcept {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC | O_NOCTTY, mode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

std::string dir_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string base_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Writes bytes into an existing file or device opened with flags; what
// names it in errors.
void write_in_place(const std::string& path, int flags, std::string_view bytes,
                    const std::string& what) {
  const detail::File file(open_retry(path, O_WRONLY | flags));
  if (!file.valid()) {
    const int err = errno;
    save_fail(err, fmt::format("cannot write {}: {}", what, errno_text(err)));
  }
  if (const int err = write_all(file.get(), bytes))
    save_fail(err, fmt::format("cannot write {}: {}", what, errno_text(err)));
  // A regular file: make sure the data reached it (close reports NFS errors).
  struct stat st {};
  if (::fstat(file.get(), &st) == 0 && S_ISREG(st.st_mode) && ::fsync(file.get()) != 0 &&
      errno != EINVAL && errno != EROFS) {
    const int err = errno;
    save_fail(err, fmt::format("cannot write {}: {}", what, errno_text(err)));
  }
}

// A temporary file next to target: created, written, synced, removed again
// unless committed (renamed onto target).
class TempFile {
 public:
  // Creates the file with mode (less the umask); throws OsError.
  TempFile(const std::string& target, mode_t mode, const std::string& what) : what_(what) {
    std::random_device rd;
    for (int attempt = 0; attempt < 100; ++attempt) {
      path_ = fmt::format("{}/.{}.{:08x}.tmp", dir_of(target), base_of(target), rd());
      file_ = detail::File(open_retry(path_, O_WRONLY | O_CREAT | O_EXCL, mode));
      if (file_.valid()) return;
      if (errno != EEXIST) break;
    }
    err_ = errno;
    path_.clear();
  }
  ~TempFile() {
    file_.reset();
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  bool valid() const { return file_.valid(); }
  int error() const { return err_; }
  int fd() const { return file_.get(); }

  void write(std::string_view bytes) {
    int err = write_all(file_.get(), bytes);
    if (err == 0 && ::fsync(file_.get()) != 0) err = errno;
    if (err != 0) save_fail(err, fmt::format("cannot write {}: {}", what_, errno_text(err)));
  }

  // Renames the file onto target; with no_replace, fails when target exists.
  void commit(const std::string& target, bool no_replace) {
    file_.reset();
    int rc = no_replace ? ::renameat2(AT_FDCWD, path_.c_str(), AT_FDCWD, target.c_str(),
                                      RENAME_NOREPLACE)
                        : ::rename(path_.c_str(), target.c_str());
    if (rc != 0 && no_replace && (errno == EINVAL || errno == ENOSYS))
      rc = ::link(path_.c_str(), target.c_str());  // a file system without RENAME_NOREPLACE
    if (rc != 0) {
      const int err = errno;
      if (err == EEXIST)
        save_fail(err, fmt::format("cannot create {}: it appeared while it was being written; "
                                   "not replaced",
                                   what_));
      save_fail(err, fmt::format("cannot create {}: {}", what_, errno_text(err)));
    }
    if (no_replace) ::unlink(path_.c_str());  // after link(); gone already after renameat2
    path_.clear();
  }

 private:
  std::string what_;
  std::string path_;
  detail::File file_;
  int err_ = 0;
};

// Replaces the regular file target (stat st) through a temporary file,
// keeping its mode and owner; in place when that cannot be done safely.
void replace_regular(const std::string& target, const struct stat& st, std::string_view bytes,
                     const std::string& what) {
  const mode_t mode = st.st_mode & 07777;
  if ((mode & 0222) == 0 || ::faccessat(AT_FDCWD, target.c_str(), W_OK, AT_EACCESS) != 0)
    save_fail(EACCES, fmt::format("{} is read-only (mode {:04o}); not replaced — make it "
                                  "writable (chmod u+w) or choose another file",
                                  what, mode));
  // Renaming would split a file with other names (hard links) from them.
  if (st.st_nlink > 1) return write_in_place(target, O_TRUNC, bytes, what);
  TempFile tmp(target, 0600, what);
  if (!tmp.valid()) {
    // A directory the caller may not write, holding a file it may write:
    // as the shell's '>' would, write the file itself.
    if (tmp.error() == EACCES || tmp.error() == EPERM)
      return write_in_place(target, O_TRUNC, bytes, what);
    save_fail(tmp.error(), fmt::format("cannot write {}: cannot create a temporary file in {}: {}",
                                       what, dir_of(target), errno_text(tmp.error())));
  }
  // The file's owner and mode, not the writer's: best effort for the owner
  // (only root may give a file away), exact for the mode (setuid/setgid
  // bits are not carried over to new contents).
  if (::fchown(tmp.fd(), st.st_uid, st.st_gid) != 0) {
    // EPERM: the new file stays the caller's, as any editor's would.
  }
  if (::fchmod(tmp.fd(), mode & ~static_cast<mode_t>(S_ISUID | S_ISGID)) != 0) {
    const int err = errno;
    save_fail(err, fmt::format("cannot write {}: {}", what, errno_text(err)));
  }
  tmp.write(bytes);
  tmp.commit(target, false);
}

// Creates target, which does not exist, atomically.
void create_new(const std::string& target, std::string_view bytes, const std::string& what) {
  TempFile tmp(target, 0666, what);
  if (!tmp.valid()) {
    const int err = tmp.error();
    if (err == ENOENT)
      save_fail(err, fmt::format("cannot create {}: directory {} does not exist", what,
                                 dir_of(target)));
    save_fail(err, fmt::format("cannot create {}: {}", what, errno_text(err)));
  }
  tmp.write(bytes);
  tmp.commit(target, true);
}

}  // namespace

void save_file(const std::string& path, std::string_view bytes) {
  if (path.empty()) save_fail(ENOENT, "cannot save to an empty file name");
  // Follow symbolic links of the last component by hand: the file replaced
  // is the link's target, in the target's directory, never the link.
  std::string target = path;
  struct stat st {};
  for (int hops = 0;; ++hops) {
    if (::lstat(target.c_str(), &st) != 0) {
      const int err = errno;
      if (err == ENOENT && hops == 0) return create_new(path, bytes, path);
      if (err == ENOENT)
        save_fail(err, fmt::format("{} is a symbolic link to {}, which does not exist; not "
                                   "followed — remove the link or name the file itself",
                                   path, target));
      save_fail(err, fmt::format("cannot save to {}: {}", path, errno_text(err)));
    }
    if (!S_ISLNK(st.st_mode)) break;
    // /dev/stdout, /dev/fd/N, /proc/self/fd/N: links into /proc stand for
    // an open file, which may not even have a name; write it as it is.
    if (target == "/proc" || target.starts_with("/proc/"))
      return write_in_place(path, O_TRUNC, bytes, path);
    if (hops >= 40) save_fail(ELOOP, fmt::format("cannot save to {}: too many symbolic links", path));
    std::string link(PATH_MAX, '\0');
    const ssize_t n = ::readlink(target.c_str(), link.data(), link.size());
    if (n < 0) {
      const int err = errno;
      save_fail(err, fmt::format("cannot save to {}: {}", path, errno_text(err)));
    }
    link.resize(static_cast<std::size_t>(n));
    target = link.starts_with('/') ? link : dir_of(target) + "/" + link;
  }
  const std::string what = target == path ? path : fmt::format("{} (-> {})", path, target);
  if (S_ISREG(st.st_mode)) return replace_regular(target, st, bytes, what);
  // Devices and pipes are written, never replaced: /dev/null, a FIFO a
  // reader waits on, a terminal.
  if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) return write_in_place(target, 0, bytes, what);
  if (S_ISDIR(st.st_mode))
    save_fail(EISDIR, fmt::format("{} is a directory; give a file name", what));
  if (S_ISBLK(st.st_mode))
    save_fail(EPERM, fmt::format("{} is a block device; not written", what));
  save_fail(EPERM, fmt::format("{} is not a regular file, character device or FIFO; not written",
                               what));
}

std::string encode_snapshot(const Snapshot& snapshot) { return detail::encode_file(snapshot); }

void save_snapshot(const Snapshot& snapshot, const std::string& path) {
  save_file(path, detail::encode_file(snapshot));
}

}  // namespace procinfo
