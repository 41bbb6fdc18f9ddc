// SPDX-License-Identifier: GPL-2.0 OR MIT
// Source names and the read_snapshot() dispatcher.
#include <procinfo/source.hpp>

#include "internal.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <stdexcept>

namespace procinfo {
namespace {

constexpr std::string_view forms =
    "expected one of: json[:PATH], device[:PATH], procfs[:ROOT], file:PATH";

}  // namespace

SourceSpec SourceSpec::parse(std::string_view text) {
  const auto colon = text.find(':');
  const std::string_view kind = text.substr(0, colon);
  SourceSpec spec;
  if (colon != std::string_view::npos) spec.path = std::string(text.substr(colon + 1));
  if (kind == "json")
    spec.kind = Kind::json;
  else if (kind == "device")
    spec.kind = Kind::device;
  else if (kind == "procfs")
    spec.kind = Kind::procfs;
  else if (kind == "file")
    spec.kind = Kind::file;
  else
    throw std::invalid_argument(fmt::format("unknown source '{}': {}", text, forms));
  if (colon != std::string_view::npos && spec.path.empty())
    throw std::invalid_argument(fmt::format("source '{}' has an empty path: {}", text, forms));
  if (spec.kind == Kind::file && spec.path.empty())
    throw std::invalid_argument(fmt::format("source 'file' needs a path (file:PATH): {}", forms));
  return spec;
}

std::string SourceSpec::to_string() const {
  std::string_view name;
  switch (kind) {
    case Kind::json: name = "json"; break;
    case Kind::device: name = "device"; break;
    case Kind::procfs: name = "procfs"; break;
    case Kind::file: name = "file"; break;
  }
  return path.empty() ? std::string(name) : fmt::format("{}:{}", name, path);
}

std::string SourceSpec::resolved_path(View view) const {
  if (!path.empty()) return path;
  switch (kind) {
    case Kind::json:
      return std::string(view == View::containers ? detail::json_containers_path
                                                  : detail::json_all_path);
    case Kind::device: return std::string(detail::device_path);
    case Kind::procfs: return std::string(detail::procfs_root);
    case Kind::file: break;
  }
  return path;
}

Snapshot read_snapshot(const SourceSpec& source, View view) {
  const auto taken_at = std::chrono::system_clock::now();
  const auto start = std::chrono::steady_clock::now();
  const std::string path = source.resolved_path(view);
  Snapshot snap;
  switch (source.kind) {
    case SourceSpec::Kind::json: snap = detail::read_json(path, view); break;
    case SourceSpec::Kind::device: snap = detail::read_device(path, view); break;
    case SourceSpec::Kind::procfs: snap = detail::read_procfs(path, view); break;
    case SourceSpec::Kind::file: return detail::read_file_snapshot(path);  // keeps its own times
  }
  snap.source = source.to_string();
  snap.view = view;
  snap.taken_at = taken_at;
  snap.read_duration = std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::steady_clock::now() - start);
  return snap;
}

namespace detail {

std::system_error open_error(int err, const std::string& path) {
  const std::error_code code(err, std::generic_category());
  if (err == ENOENT) {
    if (path == json_all_path || path == device_path)
      return {code, fmt::format("{} not found — is sysinfo.ko loaded? try: sudo modprobe sysinfo",
                                path)};
    if (path == json_containers_path)
      return {code, fmt::format("{} not found — is continfo.ko loaded? try: sudo modprobe continfo",
                                path)};
    return {code, fmt::format("{} not found", path)};
  }
  if (err == EACCES || err == EPERM) {
    if (path == device_path)
      return {code, fmt::format("cannot open {}: permission denied — run as root or ask the "
                                "administrator to grant read access to {}",
                                path, path)};
    return {code, fmt::format("cannot open {}: permission denied", path)};
  }
  return {code, fmt::format("cannot read {}", path)};
}

}  // namespace detail
}  // namespace procinfo
