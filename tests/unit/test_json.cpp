// SPDX-License-Identifier: GPL-2.0 OR MIT
// The /proc JSON documents: strict parsing, hostile input, malformed input,
// and to_json() byte for byte.
#include <procinfo/error.hpp>
#include <procinfo/source.hpp>

#include "helpers.hpp"
#include "internal.hpp"

#include <boost/test/unit_test.hpp>

using procinfo::View;
using procinfo::detail::parse_json;

namespace {

const std::string sample =
    "{\n"
    "  \"mem_total_kb\": 3960492,\n"
    "  \"mem_free_kb\": 1748972,\n"
    "  \"mem_used_kb\": 2211520,\n"
    "  \"processes\": [\n"
    "    { \"pid\": 1, \"name\": \"systemd\", \"cmdline\": \"/sbin/init splash\", \"vsz_kb\": "
    "23284, \"rss_kb\": 14276, \"mem_pct\": \"0.36\", \"proc_jiffies\": 703, \"state\": \"S\" },\n"
    "    { \"pid\": 2, \"name\": \"kthreadd\", \"cmdline\": \"\", \"vsz_kb\": 0, \"rss_kb\": 0, "
    "\"mem_pct\": \"0.00\", \"proc_jiffies\": 7, \"state\": \"S\" }\n"
    "  ]\n"
    "}\n";

// Parses text expecting a ParseError; returns it.
procinfo::ParseError parse_failure(const std::string& text, View view = View::all) {
  try {
    parse_json(text, "doc.json", view);
  } catch (const procinfo::ParseError& e) {
    BOOST_TEST_MESSAGE("ParseError: " << e.what());
    return e;
  }
  BOOST_FAIL("no ParseError for: " << text);
  throw;  // unreachable
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const auto at = s.find(from);
  BOOST_REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(json)

BOOST_AUTO_TEST_CASE(parses_the_spec_sample) {
  const auto snap = parse_json(sample, "doc.json", View::all);
  BOOST_TEST(snap.mem_total_kb == 3960492U);
  BOOST_TEST(snap.mem_free_kb == 1748972U);
  BOOST_REQUIRE(snap.processes.size() == 2U);
  const auto& p = snap.processes[0];
  BOOST_TEST(p.pid == 1U);
  BOOST_TEST(p.name == "systemd");
  BOOST_TEST(p.cmdline == "/sbin/init splash");
  BOOST_TEST(p.vsz_kb == 23284U);
  BOOST_TEST(p.rss_kb == 14276U);
  BOOST_TEST(p.mem_pct_x100 == 36U);
  BOOST_TEST(p.cpu_ticks == 703U);
  BOOST_TEST(p.state == 'S');
  BOOST_TEST(!p.ppid.has_value());
  BOOST_TEST(snap.processes[1].cmdline == "");
}

BOOST_AUTO_TEST_CASE(to_json_is_the_driver_layout_byte_for_byte) {
  const auto snap = parse_json(sample, "doc.json", View::all);
  BOOST_TEST(procinfo::to_json(snap) == sample);
}

BOOST_AUTO_TEST_CASE(json_carries_no_identity_and_to_json_adds_it_after_the_contract_keys) {
  auto snap = parse_json(sample, "doc.json", View::all);
  for (const auto& p : snap.processes) {
    BOOST_TEST(!p.cgroup.has_value());
    BOOST_TEST(!p.reasons.has_value());
  }
  auto& p = snap.processes[0];
  p.cgroup = "/system.slice/docker-x.scope";
  p.runtime = procinfo::Runtime::docker;
  p.container_id = "x";
  p.pod_uid = "";
  p.reasons = procinfo::ContainerReason::keyword | procinfo::ContainerReason::pidns;
  const std::string doc = procinfo::to_json(snap, true);
  BOOST_TEST(doc.find("\"proc_jiffies\": 703, \"state\": \"S\", \"cgroup\": "
                      "\"/system.slice/docker-x.scope\", \"runtime\": \"docker\", "
                      "\"container_id\": \"x\", \"pod_uid\": null, \"reasons\": [\"keyword\", "
                      "\"pidns\"] },\n") != std::string::npos,
             doc);
  BOOST_TEST(doc.find("\"proc_jiffies\": 7, \"state\": \"S\", \"cgroup\": null, \"runtime\": "
                      "null, \"container_id\": null, \"pod_uid\": null, \"reasons\": null }\n") !=
                 std::string::npos,
             doc);
  // The extra keys are unknown to the reader: the contract's fields come back.
  const auto back = parse_json(doc, "doc.json", View::all);
  BOOST_REQUIRE(back.processes.size() == 2U);
  BOOST_TEST(back.processes[0].name == "systemd");
  BOOST_TEST(!back.processes[0].cgroup.has_value());
  BOOST_TEST(procinfo::to_json(snap, false) == sample);
}

BOOST_AUTO_TEST_CASE(empty_list_and_containers_key) {
  const std::string doc =
      "{\n  \"mem_total_kb\": 10,\n  \"mem_free_kb\": 4,\n  \"mem_used_kb\": 6,\n"
      "  \"containers\": [\n  ]\n}\n";
  const auto snap = parse_json(doc, "c.json", View::containers);
  BOOST_TEST(snap.processes.empty());
  BOOST_TEST((snap.view == View::containers));
  BOOST_TEST(procinfo::to_json(snap) == doc);
}

BOOST_AUTO_TEST_CASE(hostile_strings_round_trip) {
  using procinfo::test::full_process;
  const std::string fffd = "\xef\xbf\xbd";
  auto a = full_process(10, "a\"b\\c)d e", "x\ny\tz\x01\x1f \"q\" \\ " + fffd + " é");
  auto b = full_process(11, "k", std::string(4096, 'c'));
  auto c = full_process(12, "{\"pid\": 1}", "\"}, { \"pid\": 99 ]");
  auto snap = procinfo::test::snapshot_of({a, b, c});
  const std::string text = procinfo::to_json(snap);
  const auto back = parse_json(text, "round.json", View::all);
  BOOST_REQUIRE(back.processes.size() == 3U);
  for (std::size_t i = 0; i < 3; ++i) {
    BOOST_TEST(back.processes[i].name == snap.processes[i].name);
    BOOST_TEST(back.processes[i].cmdline == snap.processes[i].cmdline);
    BOOST_TEST(back.processes[i].mem_pct_x100 == snap.processes[i].mem_pct_x100);
    BOOST_TEST(back.processes[i].cpu_ticks == snap.processes[i].cpu_ticks);
  }
  BOOST_TEST(back.processes[1].cmdline.size() == 4096U);
  BOOST_TEST(procinfo::to_json(back) == text);
}

BOOST_AUTO_TEST_CASE(escaped_control_bytes_and_fffd_in_input) {
  const std::string doc = replace(sample, "\"systemd\"", "\"sy\\u0001s\\t\\\"\xef\xbf\xbd\\u00e9\"");
  const auto snap = parse_json(doc, "doc.json", View::all);
  BOOST_TEST(snap.processes[0].name == "sy\x01s\t\"\xef\xbf\xbd\xc3\xa9");
}

BOOST_AUTO_TEST_CASE(to_json_repairs_invalid_utf8_in_the_model) {
  auto snap = procinfo::test::snapshot_of({procinfo::test::full_process(3, "a\xff", "b\xc0")});
  const std::string text = procinfo::to_json(snap);
  BOOST_TEST(text.find("\"a\xef\xbf\xbd\"") != std::string::npos);
  BOOST_TEST(parse_json(text, "x", View::all).processes[0].cmdline == "b\xef\xbf\xbd");
}

BOOST_AUTO_TEST_CASE(to_json_never_prints_an_invalid_state_raw) {
  // A '"' state printed "state": """.
  auto snap = procinfo::test::snapshot_of({procinfo::test::full_process(3, "a", "b")});
  snap.processes[0].state = '"';
  BOOST_TEST(procinfo::to_json(snap).find("\"state\": \"\\\"\" }") != std::string::npos);
  snap.processes[0].state = '\x01';
  BOOST_TEST(procinfo::to_json(snap).find("\"state\": \"\\u0001\" }") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(malformed_documents_name_the_offset) {
  struct Case {
    std::string doc;
    std::size_t offset;
    std::string expected;  // a piece of what()
  };
  const std::size_t pid1 = sample.find("\"pid\": 1");
  const std::size_t state1 = sample.find("\"S\" },");
  const std::size_t pct = sample.find("\"0.36\"");
  const std::size_t used = sample.find("2211520");
  const std::vector<Case> cases = {
      {replace(sample, "\"pid\": 1", "\"pdi\": 1"), pid1 - 2, "key \"pid\""},
      {replace(sample, "\"S\" },", "\"Q\" },"), state1, "\"state\""},
      {replace(sample, "\"0.36\"", "\"0.4\""), pct, "mem_pct"},
      {replace(sample, "\"0.36\"", "0.36"), pct, "mem_pct"},
      {replace(sample, "2211520", "2211521"), used, "mem_used_kb"},
      {replace(sample, "\"vsz_kb\": 23284", "\"vsz_kb\": -1"), sample.find("23284"),
       "unsigned integer for \"vsz_kb\""},
      {replace(sample, "\"pid\": 2", "\"pid\": 1"), sample.find("{ \"pid\": 2"),
       "ascending pid"},
      {replace(sample, "\"name\": \"systemd\"", "\"name\": \"a\", \"name\": \"b\""),
       sample.find("\"name\": \"systemd\"") + 13, "key \"name\" only once"},
      {replace(sample, "\"processes\"", "\"containers\": [], \"processes\""),
       sample.find("\"processes\"") + 18, "one process array"},
      {sample + "{}", sample.size(), "end of input"},
      {"", 0, "empty"},
  };
  for (const auto& c : cases) {
    const auto e = parse_failure(c.doc);
    BOOST_TEST(e.file() == "doc.json");
    BOOST_TEST(e.offset() == c.offset, "offset of: " << e.what());
    BOOST_TEST(std::string(e.what()).find(c.expected) != std::string::npos, e.what());
  }
}

BOOST_AUTO_TEST_CASE(structural_errors_are_parse_errors) {
  const std::vector<std::string> docs = {
      sample.substr(0, sample.size() / 2),                      // truncated
      replace(sample, "\"S\" },", "\"S\" },,"),               // double comma
      replace(sample, "\"S\" }\n  ]", "\"S\" },\n  ]"),        // trailing comma (the original's bug)
      replace(sample, "\"systemd\"", "\"sys\ntemd\""),          // raw control byte
      replace(sample, "\"systemd\"", "\"sys\xfftemd\""),        // invalid UTF-8
      replace(sample, "\"mem_total_kb\"", "\"mem_total_kb\" 1,"), // missing colon
      "[]",
  };
  for (const auto& doc : docs) {
    const auto e = parse_failure(doc);
    BOOST_TEST(e.offset() <= doc.size());
  }
  const auto bad = parse_failure(replace(sample, "\"systemd\"", "\"sys\xfftemd\""));
  BOOST_TEST(bad.offset() == sample.find("systemd") + 3);
}

BOOST_AUTO_TEST_CASE(missing_files_say_which_module_to_load) {
  try {
    procinfo::detail::read_json("/nonexistent/procinfo.json", View::all);
    BOOST_FAIL("no error");
  } catch (const std::system_error& e) {
    BOOST_TEST(e.code().value() == ENOENT);
    BOOST_TEST(std::string(e.what()).find("/nonexistent/procinfo.json not found") == 0U);
  }
  const auto err = procinfo::detail::open_error(ENOENT, "/proc/continfo_so1_202041390");
  BOOST_TEST(std::string(err.what()).find("sudo modprobe continfo") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(source_spec_string_forms) {
  using procinfo::SourceSpec;
  for (const std::string s : {"json", "json:/tmp/a.json", "device", "device:/dev/x", "procfs",
                              "procfs:/srv/proc", "file:/tmp/s.snap"})
    BOOST_TEST(SourceSpec::parse(s).to_string() == s);
  BOOST_TEST(SourceSpec::parse("json").resolved_path(View::containers) ==
             "/proc/continfo_so1_202041390");
  BOOST_TEST(SourceSpec::parse("json").resolved_path(View::all) == "/proc/sysinfo_so1_202041390");
  BOOST_TEST(SourceSpec::parse("device").resolved_path(View::all) == "/dev/procinfo");
  BOOST_CHECK_THROW(SourceSpec::parse("file"), std::invalid_argument);
  BOOST_CHECK_THROW(SourceSpec::parse("http://x"), std::invalid_argument);
  BOOST_CHECK_THROW(SourceSpec::parse("json:"), std::invalid_argument);
  BOOST_TEST((procinfo::parse_view("containers") == View::containers));
  BOOST_CHECK_THROW(procinfo::parse_view("some"), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

// The reader took only the driver's exact layout and at
// most 64 MiB.
BOOST_AUTO_TEST_SUITE(json_reader_layouts)

BOOST_AUTO_TEST_CASE(keys_in_any_order_and_unknown_keys) {
  // As `jq -S` writes it: keys sorted, on one line; plus keys a later
  // driver may add.
  const std::string sorted =
      "{\"future_key\": {\"a\": [1, 2]}, \"mem_free_kb\": 1748972, \"mem_total_kb\": 3960492, "
      "\"mem_used_kb\": 2211520, \"processes\": ["
      "{\"cmdline\": \"/sbin/init splash\", \"cgroup\": \"/\", \"mem_pct\": \"0.36\", \"name\": "
      "\"systemd\", \"pid\": 1, \"proc_jiffies\": 703, \"rss_kb\": 14276, \"state\": \"S\", "
      "\"vsz_kb\": 23284},"
      "{\"cmdline\": \"\", \"mem_pct\": \"0.00\", \"name\": \"kthreadd\", \"pid\": 2, "
      "\"proc_jiffies\": 7, \"rss_kb\": 0, \"state\": \"S\", \"vsz_kb\": 0}]}";
  const auto a = parse_json(sorted, "sorted.json", View::all);
  const auto b = parse_json(sample, "doc.json", View::all);
  BOOST_TEST(a.processes == b.processes);
  BOOST_TEST(a.mem_total_kb == b.mem_total_kb);
  BOOST_TEST(procinfo::to_json(a) == sample);
}

BOOST_AUTO_TEST_CASE(missing_keys_are_named) {
  const auto e = parse_failure(replace(sample, "\"mem_used_kb\": 2211520,\n", ""));
  BOOST_TEST(std::string(e.what()).find("key \"mem_used_kb\"") != std::string::npos);
  const auto f = parse_failure(replace(sample, ", \"state\": \"S\" },", " },"));
  BOOST_TEST(std::string(e.what()).find("mem_used_kb") != std::string::npos);
  BOOST_TEST(std::string(f.what()).find("key \"state\" in the process object") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_containers_document_says_how_to_read_it) {
  const std::string doc = replace(sample, "\"processes\"", "\"containers\"");
  try {
    parse_json(doc, "c.json", View::all);
    BOOST_FAIL("no error");
  } catch (const std::invalid_argument& e) {
    BOOST_TEST(std::string(e.what()).find("c.json holds the containers view only") == 0U);
    BOOST_TEST(std::string(e.what()).find("--view containers") != std::string::npos);
  }
  BOOST_TEST(parse_json(doc, "c.json", View::containers).processes.size() == 2U);
  // A document of every process read as the containers view: narrowed by
  // the container rule.
  const std::string all = replace(sample, "/sbin/init splash", "/usr/bin/containerd");
  const auto narrowed = parse_json(all, "a.json", View::containers);
  BOOST_REQUIRE(narrowed.processes.size() == 1U);
  BOOST_TEST(narrowed.processes[0].pid == 1U);
  BOOST_TEST((narrowed.view == View::containers));
}

BOOST_AUTO_TEST_CASE(documents_above_64_mib_are_read_whole) {
  // One process with a 66 MiB command line: the old reader stopped at
  // 64 MiB and reported an unterminated string at byte 0.
  procinfo::test::TempDir dir;
  const std::string big(66U << 20, 'x');
  const std::string doc = replace(sample, "\"/sbin/init splash\"", "\"" + big + "\"");
  const std::string path = dir.str() + "/big.json";
  procinfo::test::write_file(path, doc);
  const auto snap = procinfo::read_snapshot(procinfo::SourceSpec::parse("json:" + path));
  BOOST_REQUIRE(snap.processes.size() == 2U);
  BOOST_TEST(snap.processes[0].cmdline.size() == big.size());
}

BOOST_AUTO_TEST_SUITE_END()
