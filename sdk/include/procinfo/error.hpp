// SPDX-License-Identifier: GPL-2.0 OR MIT
// Error types of the SDK.
#pragma once

#include <procinfo/export.hpp>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <system_error>

namespace procinfo {

// Malformed input: a JSON document or a snapshot file that breaks its format.
// what() names the file, the byte offset and what was expected there.
class PROCINFO_API ParseError : public std::runtime_error {
 public:
  ParseError(const std::string& file, std::size_t offset, const std::string& expected);
  const std::string& file() const noexcept { return file_; }
  std::size_t offset() const noexcept { return offset_; }

 private:
  std::string file_;
  std::size_t offset_;
};

// The driver speaks an ABI major this SDK does not; what() names both.
class PROCINFO_API AbiMismatch : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A failed operating-system call whose message is complete: what() is the
// message alone, without the ": <strerror>" std::system_error appends,
// because the message already says what happened and what to do.
// code() still carries the errno value.
class PROCINFO_API OsError : public std::system_error {
 public:
  OsError(std::error_code code, const std::string& message);
  const char* what() const noexcept override;

 private:
  std::runtime_error message_;  // reference-counted, copies never throw
};

// A source of the driver that is not there: its /proc file or /dev/procinfo
// does not exist, or the device node has no driver behind it (module not
// loaded). Tools report it apart from sources that exist but cannot be read.
class PROCINFO_API SourceUnavailable : public OsError {
 public:
  using OsError::OsError;
};

}  // namespace procinfo
