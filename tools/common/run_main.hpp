// SPDX-License-Identifier: GPL-2.0 OR MIT
// The main() the tools share: no exception escapes, errors exit 2.
#pragma once

#include <fmt/core.h>

#include <cstdio>
#include <exception>
#include <string_view>

namespace tools {

inline constexpr int exit_usage_or_io_error = 2;

// Runs run(argc, argv) and returns its status. Prints "<tool>: <message>" on
// stderr and returns exit_usage_or_io_error when it throws, or when standard
// output cannot be flushed (what_output names what was being written).
template <typename Run>
int run_main(std::string_view tool, std::string_view what_output, Run run, int argc,
             char** argv) noexcept {
  try {
    const int status = run(argc, argv);
    if (std::fflush(stdout) != 0) {
      fmt::print(stderr, "{}: cannot write the {}\n", tool, what_output);
      return exit_usage_or_io_error;
    }
    return status;
  } catch (const std::exception& e) {
    std::fflush(stdout);
    fmt::print(stderr, "{}: {}\n", tool, e.what());
  } catch (...) {
    std::fflush(stdout);
    fmt::print(stderr, "{}: unexpected error\n", tool);
  }
  return exit_usage_or_io_error;
}

}  // namespace tools
