// SPDX-License-Identifier: GPL-2.0 OR MIT
// Standard output for the tools: written with write(2), so that every lost
// byte is noticed (a full disk, a closed descriptor, a reader that went
// away) and turns into a message and a non-zero exit status.
#pragma once

#include <procinfo/error.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <string>
#include <string_view>
#include <system_error>

namespace tools {

// Standard output could not take the output.
class output_error : public procinfo::OsError {
 public:
  using procinfo::OsError::OsError;
};

// Makes sure descriptors 0, 1 and 2 are open, so that no file the tool
// opens becomes its standard output or error by accident: a closed one gets
// /dev/null, opened read-only for 1 and 2 so that writing there still fails
// (EBADF) and is reported. Ignores SIGPIPE: a reader that goes away is an
// EPIPE write error, reported like any other.
inline void prepare_standard_streams() noexcept {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    const int got = ::open("/dev/null", O_RDONLY);
    if (got >= 0 && got != fd) {
      ::dup2(got, fd);
      ::close(got);
    }
  }
  std::signal(SIGPIPE, SIG_IGN);
}

// Writes all of bytes to standard output; throws output_error saying why
// it could not (what names the output: "table", "report", ...).
inline void write_stdout(std::string_view bytes, std::string_view what = "output") {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(STDOUT_FILENO, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : EIO;
      const std::error_code code(err, std::generic_category());
      std::string why = code.message();
      if (err == EBADF) why = "standard output is closed";
      if (err == EPIPE) why = "the reader of standard output went away (broken pipe)";
      throw output_error(code, fmt::format("cannot write the {} to standard output: {}{}", what,
                                           why,
                                           done > 0 ? fmt::format(" ({} of {} bytes written)",
                                                                  done, bytes.size())
                                                    : std::string()));
    }
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace tools
