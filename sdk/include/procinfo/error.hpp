// SPDX-License-Identifier: GPL-2.0 OR MIT
// Error types of the SDK.
#pragma once

#include <procinfo/export.hpp>

#include <cstddef>
#include <stdexcept>
#include <string>

namespace procinfo {

// Malformed input: a JSON document or a snapshot file that breaks its format.
// what() names the file, the byte offset and what was expected there.
class PROCINFO_API parse_error : public std::runtime_error {
 public:
  parse_error(const std::string& file, std::size_t offset, const std::string& expected);
  const std::string& file() const noexcept { return file_; }
  std::size_t offset() const noexcept { return offset_; }

 private:
  std::string file_;
  std::size_t offset_;
};

// The driver speaks an ABI major this SDK does not; what() names both.
class PROCINFO_API abi_mismatch : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace procinfo
