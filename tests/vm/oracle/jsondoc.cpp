// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "jsondoc.hpp"

#include "procinfo_text.hpp"

#include <fmt/format.h>
#include <simdjson.h>
#include <charconv>

namespace procinfo::jsondoc {

namespace {

// Reads one line of the fixed layout.
struct Cursor {
  std::string_view s;
  std::size_t i = 0;
  bool ok = true;

  void lit(std::string_view l) {
    if (ok && s.substr(i, l.size()) == l)
      i += l.size();
    else
      ok = false;
  }
  std::uint64_t num() {
    std::size_t j = i;
    while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
    if (!ok || j == i || (s[i] == '0' && j > i + 1)) {
      ok = false;
      return 0;
    }
    std::uint64_t v = 0;
    auto r = std::from_chars(s.data() + i, s.data() + j, v);
    if (r.ec != std::errc()) ok = false;
    i = j;
    return v;
  }
  std::string str() {
    lit("\"");
    if (!ok) return {};
    std::size_t j = i;
    while (j < s.size() && s[j] != '"') {
      if (s[j] == '\\') ++j;
      ++j;
    }
    if (j >= s.size()) {
      ok = false;
      return {};
    }
    std::string out(s.substr(i, j - i));
    i = j + 1;
    return out;
  }
  bool at_end() const { return ok && i == s.size(); }
};

constexpr std::string_view keys[] = {"pid",    "name",    "cmdline",      "vsz_kb",
                                     "rss_kb", "mem_pct", "proc_jiffies", "state"};

bool valid_pct(std::string_view p) {
  auto dot = p.find('.');
  if (dot == std::string_view::npos || dot == 0 || p.size() - dot != 3) return false;
  for (std::size_t k = 0; k < p.size(); ++k)
    if (k != dot && (p[k] < '0' || p[k] > '9')) return false;
  return !(p[0] == '0' && dot > 1);
}

}  // namespace

bool parse(std::string_view text, std::string_view want_key, Doc& doc,
           std::vector<std::string>& errors) {
  doc = Doc{};
  doc.bytes = text.size();
  auto err = [&](std::string m) { errors.push_back(std::move(m)); };

  // 1. RFC 8259 validity and the structure, through simdjson's DOM.
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  if (auto e = parser.parse(padded).get(root)) {
    err(fmt::format("not valid JSON: {}", simdjson::error_message(e)));
    // simdjson does not say where: point at the first bad line.
    std::size_t line = 1, start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
      const auto c = static_cast<unsigned char>(text[i]);
      const std::size_t n = c >= 0x80 ? text::utf8_seq_len(text, i) : 1;
      if (n == 0 || (c < 0x20 && c != '\n')) {
        auto eol = text.find('\n', i);
        err(fmt::format("line {} column {}: {}: \"{}\"", line, i - start + 1,
                        n == 0 ? "invalid UTF-8" : "raw control byte",
                        text::printable(text.substr(start, eol - start))));
        break;
      }
      if (c == '\n') {
        ++line;
        start = i + 1;
      }
      i += n - 1;
    }
    return false;
  }
  simdjson::dom::object obj;
  if (root.get(obj)) {
    err("top level is not an object");
    return false;
  }
  // No view asked for: the document's own array key names it.
  std::string key(want_key);
  for (auto field : obj)
    if (key.empty() && (field.key == "processes" || field.key == "containers"))
      key = std::string(field.key);
  if (key.empty()) key = "processes";
  want_key = key;
  std::vector<std::string> got_keys;
  simdjson::dom::array arr;
  bool have_arr = false;
  for (auto field : obj) {
    std::string k(field.key);
    got_keys.push_back(k);
    std::uint64_t v = 0;
    if (k == "mem_total_kb" || k == "mem_free_kb" || k == "mem_used_kb") {
      if (field.value.get(v)) {
        err(fmt::format("{} is not an unsigned integer", k));
        continue;
      }
      (k == "mem_total_kb"  ? doc.mem_total_kb
       : k == "mem_free_kb" ? doc.mem_free_kb
                            : doc.mem_used_kb) = v;
    } else if (k == want_key) {
      if (field.value.get(arr))
        err(fmt::format("{} is not an array", k));
      else
        have_arr = true;
    }
  }
  const std::vector<std::string> want_keys = {"mem_total_kb", "mem_free_kb", "mem_used_kb",
                                              std::string(want_key)};
  if (got_keys != want_keys) {
    std::string g;
    for (auto& k : got_keys) g += (g.empty() ? "" : ",") + k;
    err(fmt::format("top-level keys are [{}], want mem_total_kb,mem_free_kb,mem_used_kb,{}", g,
                    want_key));
  }
  doc.array_key = std::string(want_key);
  if (!have_arr) return false;

  std::size_t idx = 0;
  for (auto el : arr) {
    Entry e;
    simdjson::dom::object o;
    if (el.get(o)) {
      err(fmt::format("entry {} is not an object", idx));
      ++idx;
      continue;
    }
    std::size_t kn = 0;
    bool types_ok = true;
    for (auto f : o) {
      if (kn >= std::size(keys) || f.key != keys[kn]) {
        err(fmt::format("entry {}: key #{} is \"{}\", want \"{}\"", idx, kn, std::string(f.key),
                        kn < std::size(keys) ? keys[kn] : "(none)"));
        types_ok = false;
        break;
      }
      std::string_view sv;
      simdjson::error_code ec = simdjson::SUCCESS;
      switch (kn) {
        case 0:
          ec = f.value.get(e.pid);
          break;
        case 1:
          ec = f.value.get(sv);
          e.name = std::string(sv);
          break;
        case 2:
          ec = f.value.get(sv);
          e.cmdline = std::string(sv);
          break;
        case 3:
          ec = f.value.get(e.vsz_kb);
          break;
        case 4:
          ec = f.value.get(e.rss_kb);
          break;
        case 5:
          ec = f.value.get(sv);
          e.mem_pct = std::string(sv);
          break;
        case 6:
          ec = f.value.get(e.proc_jiffies);
          break;
        case 7:
          ec = f.value.get(sv);
          e.state = std::string(sv);
          break;
      }
      if (ec) {
        err(fmt::format("entry {}: \"{}\" has the wrong type", idx, keys[kn]));
        types_ok = false;
      }
      ++kn;
    }
    if (types_ok && kn != std::size(keys))
      err(fmt::format("entry {}: {} keys, want {}", idx, kn, std::size(keys)));
    doc.entries.push_back(std::move(e));
    ++idx;
  }

  // 2. The exact line layout, and the raw (escaped) strings.
  std::vector<std::string_view> lines;
  for (std::size_t p = 0; p <= text.size();) {
    auto nl = text.find('\n', p);
    if (nl == std::string_view::npos) {
      lines.push_back(text.substr(p));
      break;
    }
    lines.push_back(text.substr(p, nl - p));
    p = nl + 1;
  }
  // text ending in "}\n" leaves one empty last piece; "}" alone does not.
  if (!lines.empty() && lines.back().empty())
    lines.pop_back();
  else
    err("document does not end with a newline");
  const std::size_t n = doc.entries.size();
  if (lines.size() != n + 7) {
    err(fmt::format("document has {} lines, want {} (7 + {} entries)", lines.size(), n + 7, n));
  }
  auto line_is = [&](std::size_t k, std::string_view want) {
    if (k >= lines.size() || lines[k] != want)
      err(fmt::format("line {}: \"{}\", want \"{}\"", k + 1,
                      text::printable(k < lines.size() ? lines[k] : "(missing)"),
                      text::printable(want)));
  };
  auto num_line = [&](std::size_t k, std::string_view key, std::uint64_t want) {
    Cursor c{k < lines.size() ? lines[k] : std::string_view()};
    c.lit(fmt::format("  \"{}\": ", key));
    auto v = c.num();
    c.lit(",");
    if (!c.at_end() || v != want)
      err(fmt::format("line {}: \"{}\" is not '  \"{}\": N,'", k + 1,
                      text::printable(k < lines.size() ? lines[k] : "(missing)"), key));
  };
  line_is(0, "{");
  num_line(1, "mem_total_kb", doc.mem_total_kb);
  num_line(2, "mem_free_kb", doc.mem_free_kb);
  num_line(3, "mem_used_kb", doc.mem_used_kb);
  line_is(4, fmt::format("  \"{}\": [", want_key));
  for (std::size_t k = 0; k < n && 5 + k < lines.size(); ++k) {
    auto& e = doc.entries[k];
    e.line = 5 + k + 1;
    Cursor c{lines[5 + k]};
    c.lit("    { \"pid\": ");
    auto pid = c.num();
    c.lit(", \"name\": ");
    e.raw_name = c.str();
    c.lit(", \"cmdline\": ");
    e.raw_cmdline = c.str();
    c.lit(", \"vsz_kb\": ");
    auto vsz = c.num();
    c.lit(", \"rss_kb\": ");
    auto rss = c.num();
    c.lit(", \"mem_pct\": ");
    auto pct = c.str();
    c.lit(", \"proc_jiffies\": ");
    auto jif = c.num();
    c.lit(", \"state\": ");
    auto st = c.str();
    c.lit(" }");
    if (k + 1 < n) c.lit(",");
    if (!c.at_end()) {
      err(fmt::format("line {}: layout differs at column {}: \"{}\"", e.line, c.i + 1,
                      text::printable(lines[5 + k])));
      continue;
    }
    if (pid != e.pid || vsz != e.vsz_kb || rss != e.rss_kb || jif != e.proc_jiffies ||
        pct != e.mem_pct || st != e.state)
      err(fmt::format("line {}: line and JSON value disagree", e.line));
    for (auto [raw, dec, what] : {std::tuple{&e.raw_name, &e.name, "name"},
                                  std::tuple{&e.raw_cmdline, &e.cmdline, "cmdline"}}) {
      auto canon = text::json_escape(*dec);
      if (*raw != canon)
        err(fmt::format("line {}: pid {} {} escaped as \"{}\", want \"{}\"", e.line, e.pid, what,
                        text::printable(*raw), text::printable(canon)));
    }
  }
  line_is(5 + n, "  ]");
  line_is(6 + n, "}");

  // 3. The document's own rules.
  if (doc.mem_used_kb != doc.mem_total_kb - doc.mem_free_kb)
    err(fmt::format("mem_used_kb {} != mem_total_kb {} - mem_free_kb {}", doc.mem_used_kb,
                    doc.mem_total_kb, doc.mem_free_kb));
  if (doc.mem_free_kb > doc.mem_total_kb) err("mem_free_kb > mem_total_kb");
  for (std::size_t k = 0; k < n; ++k) {
    auto& e = doc.entries[k];
    if (k && e.pid <= doc.entries[k - 1].pid)
      err(fmt::format("entry {}: pid {} after pid {} (not strictly ascending)", k, e.pid,
                      doc.entries[k - 1].pid));
    if (e.pid == 0 || e.pid > 0x7fffffff)
      err(fmt::format("entry {}: pid {} out of range", k, e.pid));
    if (!valid_pct(e.mem_pct))
      err(fmt::format("pid {}: mem_pct \"{}\" is not %u.%02u", e.pid, text::printable(e.mem_pct)));
    else if (e.mem_pct != text::mem_pct(e.rss_kb, doc.mem_total_kb))
      err(fmt::format("pid {}: mem_pct \"{}\", want \"{}\" from rss_kb {} / mem_total_kb {}", e.pid,
                      e.mem_pct, text::mem_pct(e.rss_kb, doc.mem_total_kb), e.rss_kb,
                      doc.mem_total_kb));
    if (e.state.size() != 1 ||
        std::string_view("RSDTtXZPI").find(e.state[0]) == std::string_view::npos)
      err(fmt::format("pid {}: state \"{}\" is not one of R S D T t X Z P I", e.pid,
                      text::printable(e.state)));
    if (e.rss_kb > e.vsz_kb)
      err(fmt::format("pid {}: rss_kb {} > vsz_kb {}", e.pid, e.rss_kb, e.vsz_kb));
  }
  return true;
}

}  // namespace procinfo::jsondoc

#include "truth.hpp"

namespace procinfo::jsondoc {

std::string reference(const truth::Snapshot& s, bool containers) {
  std::string out = fmt::format(
      "{{\n  \"mem_total_kb\": {},\n  \"mem_free_kb\": {},\n"
      "  \"mem_used_kb\": {},\n  \"{}\": [\n",
      s.mem_total_kb, s.mem_free_kb, s.mem_total_kb - s.mem_free_kb,
      containers ? "containers" : "processes");
  std::vector<const truth::Proc*> list;
  for (auto& [pid, p] : s.procs)
    if (!containers || p.container()) list.push_back(&p);
  for (std::size_t i = 0; i < list.size(); ++i) {
    auto& p = *list[i];
    std::string comm = p.comm;
    if (p.kthread()) {  // undo the decoration of /proc
      auto cut = comm.rfind("kworker", 0) == 0 ? comm.find_first_of("-+") : std::string::npos;
      comm = comm.substr(0, std::min<std::size_t>(15, cut));
    }
    out += fmt::format(
        "    {{ \"pid\": {}, \"name\": \"{}\", \"cmdline\": \"{}\", \"vsz_kb\": {}, "
        "\"rss_kb\": {}, \"mem_pct\": \"{}\", \"proc_jiffies\": {}, \"state\": \"{}\" }}{}\n",
        p.pid, text::json_escape(text::sanitize_utf8(comm)),
        text::json_escape(text::sanitize_utf8(text::join_cmdline(p.cmdline))), p.vsz_kb, p.rss_kb,
        text::mem_pct(p.rss_kb, s.mem_total_kb), p.jiffies(), p.state,
        i + 1 < list.size() ? "," : "");
  }
  out += "  ]\n}\n";
  return out;
}

}  // namespace procinfo::jsondoc
