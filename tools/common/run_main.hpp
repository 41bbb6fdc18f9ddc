// SPDX-License-Identifier: GPL-2.0 OR MIT
// The main() the tools share: no exception escapes, errors exit 2.
#pragma once

#include "output.hpp"

#include <fmt/core.h>

#include <cstdio>
#include <exception>
#include <string_view>

namespace tools {

inline constexpr int exit_usage_or_io_error = 2;

// Runs run(argc, argv) and returns its status. Prints "<tool>: <message>" on
// stderr and returns exit_usage_or_io_error when it throws, or when standard
// output, if anything used stdio for it, cannot be flushed. The tools write
// standard output with write_stdout(), which throws on any error.
template <typename Run>
int run_main(std::string_view tool, Run run, int argc, char** argv) noexcept {
  prepare_standard_streams();
  try {
    const int status = run(argc, argv);
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
      fmt::print(stderr, "{}: cannot write to standard output\n", tool);
      return exit_usage_or_io_error;
    }
    return status;
  } catch (const std::exception& e) {
    fmt::print(stderr, "{}: {}\n", tool, e.what());
  } catch (...) {
    fmt::print(stderr, "{}: unexpected error\n", tool);
  }
  return exit_usage_or_io_error;
}

}  // namespace tools
