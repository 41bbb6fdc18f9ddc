// SPDX-License-Identifier: GPL-2.0 OR MIT
// Command-line helpers the tools share: option values parsed with messages
// for people, and CLI11's own errors put into plain words.
#pragma once

#include "output.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <charconv>
#include <cstdio>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tools {

// A command line that cannot be used; what() says why, for people.
class usage_error : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Parses text, the value of option, as a whole number from min to max;
// throws usage_error naming the option, the value and the range.
template <typename T>
T parse_number(std::string_view option, std::string_view text, T min, T max,
               std::string_view what = "a whole number") {
  T value{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < min ||
      value > max)
    throw usage_error(
        fmt::format("{}: '{}' is not {} from {} to {}", option, text, what, min, max));
  return value;
}

// Splits "a,b,c" (and "a b c") into its non-empty items.
inline std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  std::string item;
  for (const char c : text) {
    if (c == ',' || c == ' ') {
      if (!item.empty()) out.push_back(std::move(item));
      item.clear();
    } else {
      item += c;
    }
  }
  if (!item.empty()) out.push_back(std::move(item));
  return out;
}

// Returns what went wrong in a parse error of CLI11, in the tools' words.
inline std::string describe(const CLI::ParseError& e) {
  const std::string what = e.what();
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    const auto colon = what.find(": ");
    const std::string args = colon == std::string::npos ? what : what.substr(colon + 2);
    if (!args.empty() && args.front() == '-')
      return fmt::format("unknown option '{}'", args.substr(0, args.find(' ')));
    return fmt::format("unexpected argument{} '{}'", args.find(' ') == std::string::npos ? "" : "s",
                       args);
  }
  const auto colon = what.find(':');
  const std::string option = colon == std::string::npos ? what : what.substr(0, colon);
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) != nullptr &&
      what.find("missing") != std::string::npos)
    return fmt::format("{} needs a value", option);
  if (dynamic_cast<const CLI::ConversionError*>(&e) != nullptr &&
      what.find("for a flag") != std::string::npos)
    return fmt::format("{} takes no value", option);
  return what;
}

// Prints what --help or --version asked for (CLI11 says so by throwing
// CLI::Success) with write_stdout(), so a closed or full standard output is
// an error; returns CLI11's exit status for it.
inline int print_help(const CLI::App& app, const CLI::Success& e) {
  std::ostringstream out;
  std::ostringstream err;
  const int rc = app.exit(e, out, err);
  write_stdout(out.str(), "help");
  return rc;
}

// Says a usage error on standard error the way every tool does.
inline void print_usage_error(std::string_view tool, std::string_view message) {
  fmt::print(stderr, "{}: {}\nRun '{} --help' for usage.\n", tool, message, tool);
}

// Parses the command line, then runs finish() (checks and completes the
// options; throws std::invalid_argument, usage_error among them, for a
// command line that cannot be used). Prints --help and --version, or the
// usage error. Returns the status to exit with, or nullopt to go on.
template <typename Finish>
std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv, std::string_view tool,
                                      int usage_status, Finish&& finish) {
  try {
    app.parse(argc, argv);
    std::forward<Finish>(finish)();
  } catch (const CLI::Success& e) {
    return print_help(app, e);
  } catch (const CLI::ParseError& e) {
    print_usage_error(tool, describe(e));
    return usage_status;
  } catch (const std::invalid_argument& e) {
    print_usage_error(tool, e.what());
    return usage_status;
  }
  return std::nullopt;
}

}  // namespace tools
