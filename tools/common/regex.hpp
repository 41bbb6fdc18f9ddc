// SPDX-License-Identifier: GPL-2.0 OR MIT
// POSIX extended regular expressions, as pgrep(1) and grep -E use them.
#pragma once

#include <regex.h>

#include <fmt/format.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace tools {

// One compiled extended regular expression (regcomp(3), REG_EXTENDED |
// REG_NOSUB); move-only.
class Regex {
 public:
  // Compiles pattern; throws std::invalid_argument naming what (the option)
  // and the error regerror() gives.
  Regex(const std::string& pattern, std::string_view what) : pattern_(pattern) {
    auto re = std::make_unique<regex_t>();
    const int rc = ::regcomp(re.get(), pattern.c_str(), REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
      char buf[256];
      ::regerror(rc, re.get(), buf, sizeof(buf));
      throw std::invalid_argument(
          fmt::format("{}: '{}' is not a valid extended regular expression: {}", what, pattern, buf));
    }
    re_.reset(re.release());
  }

  // Whether the expression matches anywhere in s (s holds no NUL).
  bool search(const std::string& s) const { return ::regexec(re_.get(), s.c_str(), 0, nullptr, 0) == 0; }
  const std::string& pattern() const { return pattern_; }

 private:
  struct Free {
    void operator()(regex_t* re) const {
      ::regfree(re);
      delete re;
    }
  };
  std::string pattern_;
  std::unique_ptr<regex_t, Free> re_;
};

}  // namespace tools
