// SPDX-License-Identifier: GPL-2.0 OR MIT
// The /proc JSON documents: a strict reader (simdjson On-Demand) and the
// writer, byte for byte the driver's layout (driver/json.c).
#include <procinfo/error.hpp>
#include <procinfo/source.hpp>

#include "internal.hpp"
#include "sys.hpp"
#include "text.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <limits>

namespace procinfo {
namespace detail {
namespace {

namespace od = simdjson::ondemand;

constexpr std::array<std::string_view, 8> process_keys = {
    "pid", "name", "cmdline", "vsz_kb", "rss_kb", "mem_pct", "proc_jiffies", "state"};

// Returns the offset of the first byte that is not well-formed UTF-8.
std::size_t first_bad_utf8(std::string_view text) {
  const std::string clean = sanitize_utf8(text);
  std::size_t i = 0;
  while (i < text.size() && i < clean.size() && text[i] == clean[i]) ++i;
  return i;
}

// Reads one document of the contract's form: the keys of the top-level object
// and of each process object in any order, unknown keys ignored (a later
// driver may add some), each known key exactly once. The process array is
// "processes" (view all) or "containers" (view containers). Every failure
// names the byte offset and what was expected there.
class JsonReader {
 public:
  JsonReader(std::string_view text, const std::string& file)
      : file_(file), text_(text), padded_(text) {}

  Snapshot parse(View view) {
    const auto err = parser_.iterate(padded_).get(doc_);
    if (err) fail_simdjson(err, 0, "a JSON document");
    Snapshot snap;
    od::object top;
    const std::size_t top_at = location();
    check(doc_.get_object().get(top), "'{' starting the document");

    bool have_total = false;
    bool have_free = false;
    bool have_used = false;
    bool have_array = false;
    std::uint64_t used = 0;
    std::size_t used_offset = 0;
    for (auto field_result : top) {
      od::field field;
      check(std::move(field_result).get(field), "a key");
      const std::size_t at = key_offset(field);
      const std::string_view key = unescaped_key(field);
      od::value value = field.value();
      if (key == "mem_total_kb") {
        once(have_total, at, key);
        snap.mem_total_kb = get_u64(value, key);
      } else if (key == "mem_free_kb") {
        once(have_free, at, key);
        snap.mem_free_kb = get_u64(value, key);
      } else if (key == "mem_used_kb") {
        once(have_used, at, key);
        used_offset = offset_of(value);
        used = get_u64(value, key);
      } else if (key == "processes" || key == "containers") {
        if (have_array)
          fail(at, "one process array, \"processes\" or \"containers\" (the document has both)");
        have_array = true;
        snap.view = key == "containers" ? View::containers : View::all;
        read_processes(value, snap);
      }
      // Any other key: a later addition, skipped.
    }
    const char* rest = nullptr;
    if (doc_.current_location().get(rest) == simdjson::SUCCESS)
      fail(offset_of(rest), "end of input after the document");
    for (const auto& [have, key] : {std::pair{have_total, "mem_total_kb"},
                                    std::pair{have_free, "mem_free_kb"},
                                    std::pair{have_used, "mem_used_kb"}})
      if (!have) fail(top_at, fmt::format("key \"{}\" in the document", key));
    if (!have_array)
      fail(top_at, "key \"processes\" (all processes) or \"containers\" (container processes)");
    if (snap.mem_free_kb > snap.mem_total_kb)
      fail(used_offset, "mem_free_kb <= mem_total_kb");
    if (used != snap.mem_total_kb - snap.mem_free_kb)
      fail(used_offset, fmt::format("mem_used_kb = mem_total_kb - mem_free_kb = {}",
                                    snap.mem_total_kb - snap.mem_free_kb));
    // proc_jiffies are in the ticks of the system whose /proc is read.
    snap.user_hz = host_user_hz();
    narrow_view(snap, view, file_);
    return snap;
  }

 private:
  [[noreturn]] void fail(std::size_t offset, const std::string& expected) const {
    throw ParseError(file_, offset, expected);
  }

  [[noreturn]] void fail_simdjson(simdjson::error_code err, std::size_t offset,
                                  std::string_view expected) {
    if (err == simdjson::UTF8_ERROR)
      fail(first_bad_utf8(text_), "well-formed UTF-8");
    if (err == simdjson::EMPTY) fail(0, "a JSON document (the input is empty)");
    fail(offset, fmt::format("{} ({})", expected, simdjson::error_message(err)));
  }

  void check(simdjson::error_code err, std::string_view expected) {
    if (err) fail_simdjson(err, location(), expected);
  }

  void once(bool& seen, std::size_t at, std::string_view key) const {
    if (seen) fail(at, fmt::format("key \"{}\" only once", key));
    seen = true;
  }

  std::size_t location() {
    const char* p = nullptr;
    if (doc_.current_location().get(p) != simdjson::SUCCESS) return text_.size();
    return offset_of(p);
  }

  std::size_t offset_of(const char* p) const {
    const auto off = static_cast<std::size_t>(p - padded_.data());
    return off > text_.size() ? text_.size() : off;
  }

  std::size_t offset_of(od::value& value) {
    return offset_of(value.raw_json_token().data());
  }

  std::size_t key_offset(od::field& field) const {
    return offset_of(field.key().raw()) - 1;  // the opening quote
  }

  std::string_view unescaped_key(od::field& field) {
    std::string_view key;
    if (field.unescaped_key().get(key)) fail(key_offset(field), "a key");
    return key;
  }

  std::uint64_t get_u64(od::value& value, std::string_view key) {
    const std::size_t at = offset_of(value);
    std::uint64_t v = 0;
    if (value.get_uint64().get(v))
      fail(at, fmt::format("an unsigned integer for \"{}\"", key));
    return v;
  }

  std::uint32_t get_u32(od::value& value, std::string_view key) {
    const std::size_t at = offset_of(value);
    const std::uint64_t v = get_u64(value, key);
    if (v > std::numeric_limits<std::uint32_t>::max())
      fail(at, fmt::format("an unsigned 32-bit integer for \"{}\"", key));
    return static_cast<std::uint32_t>(v);
  }

  std::string_view get_string(od::value& value, std::string_view key) {
    const std::size_t at = offset_of(value);
    std::string_view s;
    if (value.get_string().get(s)) fail(at, fmt::format("a string for \"{}\"", key));
    return s;
  }

  void read_processes(od::value& value, Snapshot& snap) {
    od::array array;
    if (value.get_array().get(array)) fail(offset_of(value), "'[' starting the process array");
    for (auto element : array) {
      od::value item;
      check(std::move(element).get(item), "a process object");
      const std::size_t at = offset_of(item);
      Process p = read_process(item);
      if (!snap.processes.empty() && snap.processes.back().pid >= p.pid)
        fail(at, fmt::format("a pid greater than {} (processes sorted by ascending pid)",
                             snap.processes.back().pid));
      snap.processes.push_back(std::move(p));
    }
  }

  Process read_process(od::value& item) {
    od::object object;
    const std::size_t object_at = offset_of(item);
    if (item.get_object().get(object)) fail(object_at, "'{' starting a process object");
    Process p;
    std::array<bool, process_keys.size()> seen{};
    for (auto field_result : object) {
      od::field field;
      check(std::move(field_result).get(field), "a key");
      const std::size_t at = key_offset(field);
      const std::string_view key = unescaped_key(field);
      const auto known = std::find(process_keys.begin(), process_keys.end(), key);
      if (known == process_keys.end()) continue;  // a later addition, skipped
      const auto index = static_cast<std::size_t>(known - process_keys.begin());
      once(seen[index], at, key);
      od::value value = field.value();
      switch (index) {
        case 0: p.pid = get_u32(value, key); break;
        case 1: p.name = std::string(get_string(value, key)); break;
        case 2: p.cmdline = std::string(get_string(value, key)); break;
        case 3: p.vsz_kb = get_u64(value, key); break;
        case 4: p.rss_kb = get_u64(value, key); break;
        case 5: p.mem_pct_x100 = get_mem_pct(value); break;
        case 6: p.cpu_ticks = get_u64(value, key); break;
        default: p.state = get_state(value); break;
      }
    }
    for (std::size_t i = 0; i < seen.size(); ++i)
      if (!seen[i]) fail(object_at, fmt::format("key \"{}\" in the process object", process_keys[i]));
    return p;
  }

  std::uint32_t get_mem_pct(od::value& value) {
    const std::size_t at = offset_of(value);
    const std::string_view s = get_string(value, "mem_pct");
    const auto dot = s.find('.');
    std::uint32_t whole = 0;
    std::uint32_t frac = 0;
    const auto digits = [](std::string_view d) {
      return !d.empty() && d.find_first_not_of("0123456789") == std::string_view::npos;
    };
    if (dot == std::string_view::npos || !digits(s.substr(0, dot)) || s.size() - dot != 3 ||
        !digits(s.substr(dot + 1)) ||
        std::from_chars(s.data(), s.data() + dot, whole).ec != std::errc() ||
        std::from_chars(s.data() + dot + 1, s.data() + s.size(), frac).ec != std::errc() ||
        whole > std::numeric_limits<std::uint32_t>::max() / 100 - 1)
      fail(at, "a \"mem_pct\" string of the form \"%u.%02u\"");
    return whole * 100 + frac;
  }

  char get_state(od::value& value) {
    const std::size_t at = offset_of(value);
    const std::string_view s = get_string(value, "state");
    if (s.size() != 1 || process_states.find(s[0]) == std::string_view::npos)
      fail(at, "a \"state\" of one letter among R S D T t X Z P I");
    return s[0];
  }

  const std::string& file_;
  std::string_view text_;
  simdjson::padded_string padded_;
  od::parser parser_;
  od::document doc_;
};

void put_u64(std::string& out, std::uint64_t v) { fmt::format_to(std::back_inserter(out), "{}", v); }

}  // namespace

Snapshot parse_json(std::string_view text, const std::string& file, View view) {
  return JsonReader(text, file).parse(view);
}

Snapshot read_json(const std::string& path, View view) {
  std::string text;
  // No size limit: a document of 100,000 processes is tens of megabytes.
  if (!read_file(path, text, std::numeric_limits<std::size_t>::max()))
    throw open_error(errno, path);
  return parse_json(text, path, view);
}

}  // namespace detail

std::string to_json(const Snapshot& snapshot) {
  return to_json(snapshot, false);
}

namespace {

// A string member, null when absent or empty.
void append_or_null(std::string& out, const std::optional<std::string>& s) {
  if (s && !s->empty())
    detail::append_json_string(out, sanitize_utf8(*s));
  else
    out.append("null");
}

void append_identity(std::string& out, const Process& p) {
  out.append(", \"cgroup\": ");
  if (p.cgroup)
    detail::append_json_string(out, sanitize_utf8(*p.cgroup));
  else
    out.append("null");
  out.append(", \"runtime\": ");
  const std::string_view runtime = p.runtime ? to_string(*p.runtime) : std::string_view();
  if (runtime.empty())
    out.append("null");
  else
    detail::append_json_string(out, runtime);
  out.append(", \"container_id\": ");
  append_or_null(out, p.container_id);
  out.append(", \"pod_uid\": ");
  append_or_null(out, p.pod_uid);
  out.append(", \"reasons\": ");
  if (!p.reasons) {
    out.append("null");
    return;
  }
  out.push_back('[');
  const auto names = reason_names(*p.reasons);
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) out.append(", ");
    detail::append_json_string(out, names[i]);
  }
  out.push_back(']');
}

}  // namespace

std::string to_json(const Snapshot& snapshot, bool with_identity) {
  std::string out;
  out.reserve(128 + snapshot.processes.size() * 200);
  out.append("{\n  \"mem_total_kb\": ");
  detail::put_u64(out, snapshot.mem_total_kb);
  out.append(",\n  \"mem_free_kb\": ");
  detail::put_u64(out, snapshot.mem_free_kb);
  out.append(",\n  \"mem_used_kb\": ");
  detail::put_u64(out, snapshot.mem_used_kb());
  out.append(snapshot.view == View::containers ? ",\n  \"containers\": [\n"
                                               : ",\n  \"processes\": [\n");
  for (std::size_t i = 0; i < snapshot.processes.size(); ++i) {
    const Process& p = snapshot.processes[i];
    out.append("    { \"pid\": ");
    detail::put_u64(out, p.pid);
    out.append(", \"name\": ");
    detail::append_json_string(out, sanitize_utf8(p.name));
    out.append(", \"cmdline\": ");
    detail::append_json_string(out, sanitize_utf8(p.cmdline));
    out.append(", \"vsz_kb\": ");
    detail::put_u64(out, p.vsz_kb);
    out.append(", \"rss_kb\": ");
    detail::put_u64(out, p.rss_kb);
    out.append(", \"mem_pct\": \"");
    out.append(format_mem_pct(p.mem_pct_x100));
    out.append("\", \"proc_jiffies\": ");
    detail::put_u64(out, p.cpu_ticks);
    out.append(", \"state\": ");
    // Readers reject other states; escaped anyway, so that no model value
    // can make the document invalid.
    detail::append_json_string(out, sanitize_utf8(std::string_view(&p.state, 1)));
    if (with_identity) append_identity(out, p);
    out.append(i + 1 < snapshot.processes.size() ? " },\n" : " }\n");
  }
  out.append("  ]\n}\n");
  return out;
}

}  // namespace procinfo
