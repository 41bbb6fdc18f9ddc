// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// Host-side self test of the test oracle: the text rules, the strict
// document reader (on good and broken documents, also through its C
// interface) and the truth reader against this machine's own /proc. No
// driver needed.
#include "compare.hpp"
#include "jsondoc.hpp"
#include "oracle.h"
#include "procinfo_text.hpp"
#include "truth.hpp"

#include <fmt/format.h>
#include <unistd.h>
#include <cstdlib>

using namespace procinfo;

static int failures;

#define EXPECT(cond)                                             \
  do {                                                           \
    if (!(cond)) {                                               \
      fmt::print("FAIL {}:{}: {}\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                \
    }                                                            \
  } while (0)

static const std::string R = "\xef\xbf\xbd";

static void test_text() {
  using text::sanitize_utf8;
  EXPECT(sanitize_utf8("plain") == "plain");
  EXPECT(sanitize_utf8("ñandú→✓😀") == "ñandú→✓😀");
  EXPECT(sanitize_utf8("\xff") == R);
  EXPECT(sanitize_utf8("a\xc3") == "a" + R);
  EXPECT(sanitize_utf8("\xc3(") == R + "(");
  EXPECT(sanitize_utf8("\xc0\xaf") == R + R);  // overlong
  EXPECT(sanitize_utf8("\xe0\x80\xaf") == R + R + R);
  EXPECT(sanitize_utf8("\xed\xa0\x80") == R + R + R);               // surrogate
  EXPECT(sanitize_utf8("\xed\x9f\xbf") == "\xed\x9f\xbf");          // U+D7FF
  EXPECT(sanitize_utf8("\xf4\x8f\xbf\xbf") == "\xf4\x8f\xbf\xbf");  // U+10FFFF
  EXPECT(sanitize_utf8("\xf4\x90\x80\x80") == R + R + R + R);       // > U+10FFFF
  EXPECT(sanitize_utf8("ok\xf0\x9f\x98") == "ok" + R + R + R);      // truncated
  EXPECT(sanitize_utf8("\xe2\x82"
                       "A") == R + R + "A");
  EXPECT(sanitize_utf8("\xf8\x88\x80\x80\x80") == R + R + R + R + R);
  EXPECT(sanitize_utf8(std::string("a\0b", 3)) == std::string("a\0b", 3));

  using text::json_escape;
  EXPECT(json_escape("a\"b\\c") == "a\\\"b\\\\c");
  EXPECT(json_escape("\n\t\r\x1b\x01\x1f\x7f/") == "\\n\\t\\u000d\\u001b\\u0001\\u001f\x7f/");
  EXPECT(json_escape(R) == R);

  EXPECT(text::cap_cmdline(std::string("a\0b\0\0", 5)) == std::string("a\0b", 3));
  EXPECT(text::cap_cmdline(std::string(5000, 'x')).size() == 4096);
  EXPECT(text::join_cmdline(std::string("a\0\0b", 4)) == "a  b");
  EXPECT(text::container_rule("/usr/bin/runc init"));
  EXPECT(text::container_rule("x busybox"));
  EXPECT(!text::container_rule("Docker RUNC contain er busy box dock er"));
  EXPECT(text::mem_pct(14276, 3960492) == "0.36");
  EXPECT(text::mem_pct(0, 3960492) == "0.00");
  EXPECT(text::mem_pct(100, 100) == "100.00");
  EXPECT(text::mem_pct(1, 1000) == "0.10");
}

static std::vector<std::string> errors_of(const std::string& doc,
                                          std::string_view key = "processes") {
  jsondoc::Doc d;
  std::vector<std::string> errs;
  jsondoc::parse(doc, key, d, errs);
  return errs;
}

static void test_doc() {
  const std::string good =
      "{\n  \"mem_total_kb\": 1000,\n  \"mem_free_kb\": 400,\n  \"mem_used_kb\": 600,\n"
      "  \"processes\": [\n"
      "    { \"pid\": 1, \"name\": \"init\", \"cmdline\": \"/sbin/init a\\\"b\", \"vsz_kb\": 100, "
      "\"rss_kb\": 10, \"mem_pct\": \"1.00\", \"proc_jiffies\": 7, \"state\": \"S\" },\n"
      "    { \"pid\": 2, \"name\": \"kthreadd\", \"cmdline\": \"\\u001b\\t\", \"vsz_kb\": 0, "
      "\"rss_kb\": 0, \"mem_pct\": \"0.00\", \"proc_jiffies\": 0, \"state\": \"S\" }\n"
      "  ]\n}\n";
  auto errs = errors_of(good);
  for (auto& e : errs) fmt::print("unexpected: {}\n", e);
  EXPECT(errs.empty());
  jsondoc::Doc d;
  jsondoc::parse(good, "processes", d, errs);
  EXPECT(d.entries.size() == 2 && d.entries[0].cmdline == "/sbin/init a\"b" &&
         d.entries[1].cmdline == "\x1b\t");
  EXPECT(!errors_of(good, "containers").empty());

  auto broken = [&](std::string from, std::string to) {
    std::string doc = good;
    auto at = doc.find(from);
    EXPECT(at != std::string::npos);
    doc.replace(at, from.size(), to);
    auto e = errors_of(doc);
    if (e.empty())
      fmt::print("FAIL: not rejected: {} -> {}\n", text::printable(from), text::printable(to));
    failures += e.empty();
  };
  broken("\"S\" }\n  ]", "\"S\" },\n  ]");                 // trailing comma
  broken("\"mem_free_kb\": 400", "\"mem_free_kb\": 401");  // used != total - free
  broken("\"pid\": 2", "\"pid\": 1");                      // duplicate
  broken("\"pid\": 2", "\"pid\": 0");                      // order
  broken("\\u001b", "\\u001B");                            // upper-case hex
  broken("\\t", "\\u0009");                                // long form of \t
  broken("\\u001b", "\\b");                                // short form not allowed
  broken("}\n", "}");                                      // no final newline
  broken("\"1.00\"", "\"1.0\"");                           // format
  broken("\"1.00\"", "\"0.99\"");                          // arithmetic
  broken("\"name\": \"init\", \"cmdline\"", "\"cmdline\": \"x\", \"name\"");
  broken("{ \"pid\": 1,", "{\"pid\": 1,");  // layout
  broken("\"state\": \"S\" },", "\"state\": \"Q\" },");
  broken("\"init\"", "\"in\xffit\"");  // invalid UTF-8 in the document
  broken("\"rss_kb\": 10,", "\"rss_kb\": 10, \"x\": 1,");
  broken("\n  ]\n}\n", "\n  ]\n}\n\n");

  // The C interface: either view by its own key, the pids, the state.
  long* pids = nullptr;
  std::size_t n = 0;
  EXPECT(oracle_check_json(good.data(), good.size(), &pids, &n) == nullptr);
  EXPECT(n == 2 && pids[0] == 1 && pids[1] == 2);
  std::free(pids);
  std::string cont = good;
  cont.replace(cont.find("processes"), 9, "containers");
  EXPECT(oracle_check_json(cont.data(), cont.size(), nullptr, nullptr) == nullptr);
  std::string bad = good;
  bad.replace(bad.find("\"pid\": 2"), 8, "\"pid\": 1");
  const char* why = oracle_check_json(bad.data(), bad.size(), nullptr, nullptr);
  EXPECT(why && std::string_view(why).find("ascending") != std::string_view::npos);
  EXPECT(oracle_json_state(good.data(), good.size(), 2) == 'S');
  EXPECT(oracle_json_state(good.data(), good.size(), 3) == 0);
  EXPECT(oracle_json_state("{", 1, 1) == 0);
}

static void test_truth() {
  auto self = truth::read_proc(static_cast<int>(::getpid()), true);
  EXPECT(self.has_value());
  if (self) {
    EXPECT(self->comm == "procinfo-vm-sel");  // cut at 15 bytes
    EXPECT(self->state == 'R');
    EXPECT(self->vsz_kb > 0 && self->rss_kb > 0);
    EXPECT(self->ppid == ::getppid());
    EXPECT(self->uid == ::getuid());
    EXPECT(!self->kthread());
    EXPECT(text::join_cmdline(self->cmdline).find("procinfo-vm-selftest") != std::string::npos);
  }
  auto kthreadd = truth::read_proc(2, false);
  if (kthreadd && kthreadd->comm == "kthreadd") {  // not so in a pid namespace
    EXPECT(kthreadd->kthread());
    EXPECT(kthreadd->cmdline.empty() && kthreadd->vsz_kb == 0);
  }
  // The reference document of this machine passes every check.
  auto before = truth::read_all(false);
  for (bool containers : {false, true}) {
    auto doc_text = jsondoc::reference(before, containers);
    jsondoc::Doc doc;
    std::vector<std::string> errs;
    EXPECT(jsondoc::parse(doc_text, containers ? "containers" : "processes", doc, errs));
    for (auto& e : errs) fmt::print("reference document: {}\n", e);
    EXPECT(errs.empty());
    auto after = truth::read_all(false);
    compare::Report rep;
    compare::Options opt;
    opt.containers = containers;
    compare::json_vs_truth(doc, before, after, opt, rep);
    EXPECT(rep.problems == 0);
  }
}

int main() {
  test_text();
  test_doc();
  test_truth();
  fmt::print("selftest: {}\n", failures ? "FAILED" : "OK");
  return failures ? 1 : 0;
}
