// SPDX-License-Identifier: GPL-2.0 OR MIT
// The model's small helpers and the error types.
#include <procinfo/compare.hpp>
#include <procinfo/error.hpp>
#include <procinfo/model.hpp>

#include "container_match.h"
#include "text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace procinfo {

std::string_view to_string(View view) noexcept {
  return view == View::containers ? "containers" : "all";
}

View parse_view(std::string_view text) {
  if (text == "all") return View::all;
  if (text == "containers") return View::containers;
  throw std::invalid_argument(
      fmt::format("unknown view '{}': expected 'all' or 'containers'", text));
}

const Process* Snapshot::find(std::uint32_t pid) const noexcept {
  const auto it = std::lower_bound(processes.begin(), processes.end(), pid,
                                   [](const Process& p, std::uint32_t v) { return p.pid < v; });
  return it != processes.end() && it->pid == pid ? &*it : nullptr;
}

std::string format_mem_pct(std::uint32_t mem_pct_x100) {
  return fmt::format("{}.{:02}", mem_pct_x100 / 100, mem_pct_x100 % 100);
}

bool is_container(const Process& p) noexcept {
  if (p.flags) return has(*p.flags, ProcessFlag::container);
  return detail::matches_container_rule(p.cmdline);
}

std::optional<bool> is_container(const Process& p, ContainerRule rule) noexcept {
  if (p.reasons) return has(*p.reasons, reasons_of(rule));
  if (rule == ContainerRule::cgroup) return std::nullopt;
  return is_container(p);
}

std::string_view to_string(Runtime runtime) noexcept {
  // The names come from the matcher the driver compiles too.
  const std::string_view name = procinfo_runtime_name(static_cast<unsigned int>(runtime));
  if (name.empty() && runtime != Runtime::none) return "unknown";  // a newer driver's runtime
  return name;
}

std::vector<std::string_view> reason_names(ContainerReason reasons) {
  std::vector<std::string_view> names;
  if (has(reasons, ContainerReason::keyword)) names.emplace_back("keyword");
  if (has(reasons, ContainerReason::cgroup)) names.emplace_back("cgroup");
  if (has(reasons, ContainerReason::pidns)) names.emplace_back("pidns");
  return names;
}

std::string_view to_string(ContainerRule rule) noexcept {
  switch (rule) {
    case ContainerRule::keywords:
      return "keywords";
    case ContainerRule::cgroup:
      return "cgroup";
    case ContainerRule::both:
      return "both";
  }
  return "both";
}

ContainerRule parse_container_rule(std::string_view text) {
  if (text == "keywords") return ContainerRule::keywords;
  if (text == "cgroup") return ContainerRule::cgroup;
  if (text == "both") return ContainerRule::both;
  throw std::invalid_argument(
      fmt::format("unknown container rule '{}': expected 'keywords', 'cgroup' or 'both'", text));
}

ContainerReason reasons_of(ContainerRule rule) noexcept {
  switch (rule) {
    case ContainerRule::keywords:
      return ContainerReason::keyword;
    case ContainerRule::cgroup:
      return ContainerReason::cgroup | ContainerReason::pidns;
    case ContainerRule::both:
      break;
  }
  return ContainerReason::keyword | ContainerReason::cgroup | ContainerReason::pidns;
}

std::size_t CompareReport::mismatch_count() const noexcept {
  return static_cast<std::size_t>(
      std::count_if(diffs.begin(), diffs.end(), [](const FieldDiff& d) { return d.mismatch; }));
}

ParseError::ParseError(const std::string& file, std::size_t offset, const std::string& expected)
    : std::runtime_error(fmt::format("{}: byte {}: expected {}", file, offset, expected)),
      file_(file),
      offset_(offset) {}

OsError::OsError(std::error_code code, const std::string& message)
    : std::system_error(code, message), message_(message) {}

const char* OsError::what() const noexcept {
  return message_.what();
}

}  // namespace procinfo
