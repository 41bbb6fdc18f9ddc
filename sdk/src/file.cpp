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

#include <cerrno>
#include <chrono>
#include <cstring>
#include <limits>
#include <random>

namespace procinfo {
namespace detail {
namespace {

constexpr char magic[8] = {'P', 'R', 'O', 'C', 'S', 'N', 'A', 'P'};
// Version 2 added the container identity to the records; version 1 files
// are still read (their processes carry no identity).
constexpr std::uint32_t format_version = 2;
constexpr std::uint32_t format_version_v1 = 1;
constexpr std::uint32_t header_size = 88;
constexpr std::uint32_t header_size_v1_0 = 80;  // before taken_at_boot_ns
constexpr std::uint32_t record_size = 136;
constexpr std::uint32_t record_size_v1 = 104;

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
  // 0 stands for "unknown": no live read starts at boot time 0.
  if (snapshot.taken_at_boot) put(out, 80, static_cast<std::uint64_t>(snapshot.taken_at_boot->count()), 8);

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
    if (p.flags) {
      present |= has_flags;
      put(out, at + 24, static_cast<std::uint32_t>(*p.flags), 4);
    }
    put(out, at + 28, p.mem_pct_x100, 4);
    put(out, at + 32, p.vsz_kb, 8);
    put(out, at + 40, p.rss_kb, 8);
    put(out, at + 48, p.cpu_ticks, 8);
    opt(p.utime_ns, has_utime, 56, 8);
    opt(p.stime_ns, has_stime, 64, 8);
    opt(p.start_time_ns, has_start_time, 72, 8);
    put(out, at + 80, strings.add(p.name), 4);
    put(out, at + 84, p.name.size(), 4);
    put(out, at + 88, strings.add(p.cmdline), 4);
    put(out, at + 92, p.cmdline.size(), 4);
    put(out, at + 96, static_cast<unsigned char>(p.state), 1);
    const auto opt_text = [&](const std::optional<std::string>& o, std::uint32_t bit,
                              std::size_t off) {
      if (!o) return;
      present |= bit;
      put(out, at + off, strings.add(*o), 4);
      put(out, at + off + 4, o->size(), 4);
    };
    opt_text(p.cgroup, has_cgroup, 104);
    opt_text(p.container_id, has_container_id, 112);
    opt_text(p.pod_uid, has_pod_uid, 120);
    if (p.runtime) {
      present |= has_runtime;
      put(out, at + 128, static_cast<std::uint8_t>(*p.runtime), 1);
    }
    if (p.reasons) {
      present |= has_reasons;
      put(out, at + 129, static_cast<std::uint32_t>(*p.reasons), 1);
    }
    put(out, at + 4, present, 4);
    at += record_size;
  }
  put(out, 24, strings.data().size(), 8);
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
  const auto version = static_cast<std::uint32_t>(get(in, 8, 4));
  if (version != format_version && version != format_version_v1)
    fail(8, fmt::format("format version {} (this libprocinfo reads versions {} and {}; the "
                        "file was written by a newer libprocinfo — update it)",
                        version, format_version_v1, format_version));
  const bool v1 = version == format_version_v1;
  const std::uint32_t min_record = v1 ? record_size_v1 : record_size;
  const std::uint32_t known_present = v1 ? has_all_v1 : has_all;
  const auto hsize = static_cast<std::uint32_t>(get(in, 12, 4));
  if (hsize < header_size_v1_0) fail(12, fmt::format("a header size >= {}", header_size_v1_0));
  if (in.size() < hsize) fail(in.size(), "a complete header (file truncated)");
  const auto rsize = static_cast<std::uint32_t>(get(in, 16, 4));
  if (rsize < min_record) fail(16, fmt::format("a record size >= {}", min_record));
  const std::uint64_t count = get(in, 20, 4);
  const std::uint64_t strings_size = get(in, 24, 8);
  const std::uint64_t records_end = hsize + count * rsize;
  if (strings_size > in.size() || records_end > in.size() - strings_size)
    fail(in.size(), fmt::format("{} bytes ({} records, {} string bytes) — file truncated",
                                records_end + strings_size, count, strings_size));
  if (records_end + strings_size != in.size())
    fail(records_end + strings_size, "end of file after the string area");
  for (std::size_t i = 73; i < header_size_v1_0; ++i)
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
  if (hsize >= 88) {
    const std::uint64_t boot = get(in, 80, 8);
    if (boot > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      fail(80, "a boot time below 2^63 ns");
    if (boot != 0) snap.taken_at_boot = std::chrono::nanoseconds(static_cast<std::int64_t>(boot));
  }

  snap.processes.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    const std::size_t at = hsize + i * rsize;
    Process p;
    p.pid = static_cast<std::uint32_t>(get(in, at, 4));
    if (!snap.processes.empty() && snap.processes.back().pid >= p.pid)
      fail(at, "records sorted by ascending pid");
    const auto present = static_cast<std::uint32_t>(get(in, at + 4, 4));
    if (present & ~known_present) fail(at + 4, "known presence bits");
    const auto u32 = [&](std::size_t off) { return static_cast<std::uint32_t>(get(in, at + off, 4)); };
    if (present & has_ppid) p.ppid = u32(8);
    if (present & has_uid) p.uid = u32(12);
    if (present & has_gid) p.gid = u32(16);
    if (present & has_nr_threads) p.nr_threads = u32(20);
    if (present & has_flags) p.flags = ProcessFlag{u32(24)};
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
    if (process_states.find(p.state) == std::string_view::npos)
      fail(at + 96, "a state among R S D T t X Z P I");
    for (std::size_t k = 97; k < record_size_v1; ++k)
      if (in[at + k] != 0) fail(at + k, "zero (reserved)");
    if (!v1) {
      if (present & has_cgroup) p.cgroup = text(at + 104, true);
      if (present & has_container_id) p.container_id = text(at + 112, true);
      if (present & has_pod_uid) p.pod_uid = text(at + 120, true);
      if (present & has_runtime) p.runtime = static_cast<Runtime>(get(in, at + 128, 1));
      if (present & has_reasons) {
        p.reasons = static_cast<ContainerReason>(get(in, at + 129, 1));
        if (has(*p.reasons, ~reasons_of(ContainerRule::both))) fail(at + 129, "known reason bits");
      }
      for (std::size_t k = 130; k < record_size; ++k)
        if (in[at + k] != 0) fail(at + k, "zero (reserved)");
    }
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
