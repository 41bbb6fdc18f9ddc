// SPDX-License-Identifier: GPL-2.0 OR MIT
// Source names and the read_snapshot() dispatcher.
#include <procinfo/error.hpp>
#include <procinfo/source.hpp>

#include "internal.hpp"

#include <linux/magic.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <utility>

namespace procinfo {
namespace {

constexpr std::string_view forms =
    "expected one of: json[:PATH], device[:PATH], procfs[:ROOT], file:PATH";

std::optional<std::chrono::nanoseconds> boottime_now() noexcept {
  timespec ts{};
  if (::clock_gettime(CLOCK_BOOTTIME, &ts) != 0) return std::nullopt;
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

bool under_proc(const std::string& path) { return path == "/proc" || path.starts_with("/proc/"); }

// Whether a failure to read source means the driver is not there.
bool unavailable(const SourceSpec& source, const std::string& path, int err) {
  switch (source.kind) {
    case SourceSpec::Kind::device: return err == ENOENT || err == ENXIO || err == ENODEV;
    case SourceSpec::Kind::json: return err == ENOENT && under_proc(path);
    default: return false;
  }
}

// Throws ParseError for a process whose state is not one stat field 3 can
// show: every reader, the device's included, goes through this.
void check_states(const Snapshot& snap, const std::string& path) {
  for (const Process& p : snap.processes)
    if (process_states.find(p.state) == std::string_view::npos)
      throw ParseError(path, 0,
                       fmt::format("a state among R S D T t X Z P I for pid {} (got byte 0x{:02x})",
                                   p.pid, static_cast<unsigned char>(p.state)));
}

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

bool SourceSpec::is_live(View view) const {
  switch (kind) {
    case Kind::file: return false;
    case Kind::device: return true;
    case Kind::json:
    case Kind::procfs: break;
  }
  const std::string where = resolved_path(view);
  struct statfs fs {};
  if (::statfs(where.c_str(), &fs) != 0) return under_proc(where);
  return fs.f_type == PROC_SUPER_MAGIC;
}

namespace {

// Reads source once; device, when given, is the device kept open between
// reads (opened here when empty, dropped after a failure).
Snapshot read_source(const SourceSpec& source, const ReadOptions& options,
                     std::unique_ptr<detail::DeviceReader>* device) {
  const View view = options.view;
  const auto taken_at = std::chrono::system_clock::now();
  const auto boot = boottime_now();
  const auto start = std::chrono::steady_clock::now();
  const std::string path = source.resolved_path(view);
  Snapshot snap;
  try {
    switch (source.kind) {
      case SourceSpec::Kind::json: snap = detail::read_json(path, view); break;
      case SourceSpec::Kind::device:
        if (device == nullptr) {
          snap = detail::DeviceReader(path).read(view, options.cmdlines);
          break;
        }
        try {
          if (!*device) *device = std::make_unique<detail::DeviceReader>(path);
          snap = (*device)->read(view, options.cmdlines);
        } catch (...) {
          device->reset();
          throw;
        }
        break;
      case SourceSpec::Kind::procfs:
        snap = detail::read_procfs(path, view, options.cmdlines);
        break;
      case SourceSpec::Kind::file:
        snap = detail::read_file_snapshot(path);  // keeps its own source and times
        detail::narrow_view(snap, view, path);
        check_states(snap, path);
        break;
    }
  } catch (const SourceUnavailable&) {
    throw;
  } catch (const std::system_error& e) {
    if (unavailable(source, path, e.code().value())) throw SourceUnavailable(e.code(), e.what());
    throw;
  }
  if (!options.cmdlines)
    for (Process& p : snap.processes) p.cmdline.clear();
  if (source.kind == SourceSpec::Kind::file) return snap;
  check_states(snap, path);
  snap.source = source.to_string();
  snap.view = view;
  snap.taken_at = taken_at;
  snap.read_duration = std::chrono::duration_cast<std::chrono::nanoseconds>(
      std::chrono::steady_clock::now() - start);
  if (source.is_live(view)) snap.taken_at_boot = boot;
  return snap;
}

}  // namespace

Snapshot read_snapshot(const SourceSpec& source, View view) {
  return read_source(source, ReadOptions{.view = view}, nullptr);
}

struct SnapshotReader::State {
  std::unique_ptr<detail::DeviceReader> device;
};

SnapshotReader::SnapshotReader(SourceSpec source, ReadOptions options)
    : source_(std::move(source)), options_(options), state_(std::make_unique<State>()) {}
SnapshotReader::SnapshotReader(SnapshotReader&&) noexcept = default;
SnapshotReader& SnapshotReader::operator=(SnapshotReader&&) noexcept = default;
SnapshotReader::~SnapshotReader() = default;

Snapshot SnapshotReader::read() {
  if (!state_) state_ = std::make_unique<State>();  // moved from
  return read_source(source_, options_, &state_->device);
}

namespace detail {

std::uint32_t host_user_hz() noexcept {
  const long hz = ::sysconf(_SC_CLK_TCK);
  return hz > 0 ? static_cast<std::uint32_t>(hz) : 100;  // 100: USER_HZ of every ABI but alpha's
}

void narrow_view(Snapshot& snap, View view, const std::string& file) {
  if (snap.view == view) return;
  if (view == View::all)
    throw std::invalid_argument(fmt::format(
        "{} holds the containers view only, not every process: read it with the containers "
        "view (procinfo-ps --containers, procinfo-compare --view containers)",
        file));
  std::erase_if(snap.processes, [](const Process& p) { return !is_container(p); });
  snap.view = View::containers;
}

OsError open_error(int err, const std::string& path) {
  const std::error_code code(err, std::generic_category());
  if (err == ENXIO || err == ENODEV)
    return {code, fmt::format("{} has no driver behind it — is sysinfo.ko loaded? try: sudo "
                              "modprobe sysinfo",
                              path)};
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
  if (err == EISDIR) return {code, fmt::format("cannot read {}: it is a directory", path)};
  return {code, fmt::format("cannot read {}: {}", path, code.message())};
}

}  // namespace detail
}  // namespace procinfo
