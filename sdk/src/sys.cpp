// SPDX-License-Identifier: GPL-2.0 OR MIT
// The system-call seam and the RAII file type.
#include "sys.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <new>

namespace procinfo::detail {
namespace {

int real_open(const char* path, int flags) { return ::open(path, flags); }
ssize_t real_read(int fd, void* buf, std::size_t count) { return ::read(fd, buf, count); }
int real_ioctl(int fd, unsigned long request, void* arg) { return ::ioctl(fd, request, arg); }
int real_close(int fd) { return ::close(fd); }

}  // namespace

SysOps& sys_ops() noexcept {
  static SysOps ops{real_open, real_read, real_ioctl, real_close};
  return ops;
}

File& File::operator=(File&& other) noexcept {
  if (this != &other) {
    reset();
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

File File::open(const std::string& path, int flags) noexcept {
  int fd;
  do {
    fd = sys_ops().open(path.c_str(), O_RDONLY | O_CLOEXEC | flags);
  } while (fd < 0 && errno == EINTR);
  return File(fd);
}

void File::reset() noexcept {
  if (fd_ >= 0) {
    const int saved = errno;
    sys_ops().close(fd_);  // EINTR on close: the fd is gone anyway (Linux)
    errno = saved;
    fd_ = -1;
  }
}

bool File::read_all(std::string& out, std::size_t limit) const noexcept {
  try {
    out.clear();
    std::size_t chunk = 4096;
    while (out.size() < limit) {
      const std::size_t want = std::min(chunk, limit - out.size());
      const std::size_t old = out.size();
      out.resize(old + want);
      const ssize_t n = sys_ops().read(fd_, out.data() + old, want);
      if (n < 0) {
        out.resize(old);
        if (errno == EINTR) continue;
        return false;
      }
      out.resize(old + static_cast<std::size_t>(n));
      if (n == 0) break;
      if (chunk < (static_cast<std::size_t>(1) << 20)) chunk *= 2;
    }
    return true;
  } catch (const std::bad_alloc&) {
    errno = ENOMEM;
    return false;
  }
}

int File::ioctl(unsigned long request, void* arg) const noexcept {
  int rc;
  do {
    rc = sys_ops().ioctl(fd_, request, arg);
  } while (rc < 0 && errno == EINTR);
  return rc;
}

bool read_file(const std::string& path, std::string& out, std::size_t limit) noexcept {
  const File file = File::open(path);
  return file.valid() && file.read_all(out, limit);
}

}  // namespace procinfo::detail
