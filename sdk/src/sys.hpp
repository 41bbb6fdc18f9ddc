// SPDX-License-Identifier: GPL-2.0 OR MIT
// The one seam through which the SDK reaches the kernel: open, read, ioctl
// and close. Unit tests replace the functions to inject EINTR, short reads
// or ENOSPC without a kernel. Internal: not installed, not exported.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>

namespace procinfo::detail {

// The system calls, errno-style: -1 and errno on failure.
struct SysOps {
  int (*open)(const char* path, int flags);
  ssize_t (*read)(int fd, void* buf, std::size_t count);
  int (*ioctl)(int fd, unsigned long request, void* arg);
  int (*close)(int fd);
};

// Returns the functions in use (the real system calls unless replaced).
SysOps& sys_ops() noexcept;

// Replaces the system calls for the lifetime of the object (tests only).
class ScopedSysOps {
 public:
  explicit ScopedSysOps(const SysOps& ops) : saved_(sys_ops()) { sys_ops() = ops; }
  ~ScopedSysOps() { sys_ops() = saved_; }
  ScopedSysOps(const ScopedSysOps&) = delete;
  ScopedSysOps& operator=(const ScopedSysOps&) = delete;

 private:
  SysOps saved_;
};

// Owns one file descriptor; move-only.
class File {
 public:
  File() = default;
  explicit File(int fd) noexcept : fd_(fd) {}
  File(File&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  File& operator=(File&& other) noexcept;
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  ~File() { reset(); }

  // Opens path read-only, retrying on EINTR. Returns an invalid File and
  // leaves errno set on failure.
  static File open(const std::string& path, int flags = 0) noexcept;

  bool valid() const noexcept { return fd_ >= 0; }
  int get() const noexcept { return fd_; }
  // Closes the descriptor; never throws.
  void reset() noexcept;

  // Reads up to limit bytes, until end of file, retrying on EINTR and
  // continuing after short reads. Returns false with errno set on failure.
  bool read_all(std::string& out, std::size_t limit) const noexcept;
  // Issues an ioctl, retrying on EINTR. Returns -1 with errno on failure.
  int ioctl(unsigned long request, void* arg) const noexcept;

 private:
  int fd_ = -1;
};

// Reads a whole file of at most limit bytes. Returns false with errno set.
bool read_file(const std::string& path, std::string& out,
               std::size_t limit = static_cast<std::size_t>(64) << 20) noexcept;

}  // namespace procinfo::detail
