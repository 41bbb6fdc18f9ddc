// SPDX-License-Identifier: GPL-2.0 OR MIT
// The file: snapshot format: round trip, versioning, truncated and corrupt files.
#include <procinfo/error.hpp>
#include <procinfo/source.hpp>

#include "helpers.hpp"
#include "internal.hpp"

#include <boost/test/unit_test.hpp>

#include <fstream>
#include <iterator>

using procinfo::detail::decode_file;
using procinfo::detail::encode_file;
using procinfo::test::full_process;
using procinfo::test::snapshot_of;

namespace {

procinfo::Snapshot sample() {
  auto s = snapshot_of({full_process(1, "init", "/sbin/init splash"),
                        full_process(7, "é \"q\"", std::string(4096, 'x')),
                        full_process(9, "", "")},
                       "device:/dev/procinfo");
  s.processes[2].ppid.reset();  // a JSON-like process: optional members absent
  s.processes[2].start_time_ns.reset();
  s.processes[1].flags =
      procinfo::ProcessFlag::cmdline_truncated | procinfo::ProcessFlag::container;
  // a device-like process in a container; pid 1 outside any; pid 9 none at all
  s.processes[1].cgroup = "/system.slice/docker-" + std::string(64, 'a') + ".scope";
  s.processes[1].runtime = procinfo::Runtime::docker;
  s.processes[1].container_id = std::string(64, 'a');
  s.processes[1].pod_uid = "";
  s.processes[1].reasons = procinfo::ContainerReason::cgroup | procinfo::ContainerReason::keyword;
  s.processes[0].cgroup = "/init.scope";
  s.processes[0].runtime = procinfo::Runtime::none;
  s.processes[0].container_id = "";
  s.processes[0].pod_uid = "";
  s.processes[0].reasons = procinfo::ContainerReason{};
  s.view = procinfo::View::containers;
  s.taken_at = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
  s.read_duration = std::chrono::nanoseconds(1234567);
  s.user_hz = 100;
  return s;
}

std::size_t failure_offset(const std::string& bytes, const std::string& what_part) {
  try {
    decode_file(bytes, "snap.bin");
  } catch (const procinfo::ParseError& e) {
    BOOST_TEST_MESSAGE(e.what());
    BOOST_TEST(std::string(e.what()).find("snap.bin") == 0U);
    BOOST_TEST(std::string(e.what()).find(what_part) != std::string::npos, e.what());
    return e.offset();
  }
  BOOST_FAIL("no ParseError");
  return 0;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(file_format)

BOOST_AUTO_TEST_CASE(round_trip_keeps_everything) {
  const auto s = sample();
  const auto back = decode_file(encode_file(s), "snap.bin");
  BOOST_TEST(back.processes == s.processes);
  BOOST_TEST(back.source == s.source);
  BOOST_TEST((back.view == s.view));
  BOOST_TEST(back.mem_total_kb == s.mem_total_kb);
  BOOST_TEST(back.mem_free_kb == s.mem_free_kb);
  BOOST_TEST((back.taken_at == s.taken_at));
  BOOST_TEST(back.read_duration.count() == s.read_duration.count());
  BOOST_TEST(*back.user_hz == 100U);
}

BOOST_AUTO_TEST_CASE(save_and_read_through_the_public_api) {
  procinfo::test::TempDir dir;
  const std::string path = dir.str() + "/s.snap";
  procinfo::save_snapshot(sample(), path);
  const auto back = procinfo::read_snapshot(procinfo::SourceSpec::parse("file:" + path),
                                            procinfo::View::containers);
  BOOST_TEST(back.processes == sample().processes);
  BOOST_TEST(std::distance(std::filesystem::directory_iterator(dir.path()),
                           std::filesystem::directory_iterator()) == 1);  // no temporary left
  BOOST_CHECK_THROW(procinfo::save_snapshot(sample(), dir.str() + "/no/such/dir/s"),
                    std::system_error);
}

BOOST_AUTO_TEST_CASE(layout_is_little_endian_and_documented) {
  const std::string bytes = encode_file(sample());
  BOOST_TEST(bytes.substr(0, 8) == "PROCSNAP");
  BOOST_TEST(bytes[8] == 2);  // format version 2, little-endian
  BOOST_TEST(bytes[9] == 0);
  BOOST_TEST(static_cast<unsigned char>(bytes[12]) == 96U);   // header size
  BOOST_TEST(static_cast<unsigned char>(bytes[16]) == 136U);  // record size
  BOOST_TEST(bytes[20] == 3);                                 // records
  BOOST_TEST(bytes[88] == 100);                               // user_hz
  BOOST_TEST(bytes[96] == 1);                                 // first pid
}

BOOST_AUTO_TEST_CASE(unknown_version_is_refused) {
  std::string bytes = encode_file(sample());
  bytes[8] = 3;
  BOOST_TEST(failure_offset(bytes, "format version 3") == 8U);
}

BOOST_AUTO_TEST_CASE(not_a_snapshot) {
  BOOST_TEST(failure_offset("{\"mem_total_kb\": 1}", "PROCSNAP") == 0U);
  BOOST_TEST(failure_offset("", "truncated") == 0U);
}

BOOST_AUTO_TEST_CASE(every_truncation_is_an_error) {
  const std::string bytes = encode_file(sample());
  for (std::size_t n = 0; n < bytes.size(); ++n)
    BOOST_CHECK_THROW(decode_file(bytes.substr(0, n), "snap.bin"), procinfo::ParseError);
  BOOST_CHECK_THROW(decode_file(bytes + "x", "snap.bin"), procinfo::ParseError);
}

BOOST_AUTO_TEST_CASE(corrupt_fields_are_errors) {
  const std::string good = encode_file(sample());
  auto corrupt = [&](std::size_t at, char value, const std::string& what) {
    std::string bytes = good;
    bytes[at] = value;
    return failure_offset(bytes, what);
  };
  constexpr std::size_t h = 96;  // header size
  BOOST_TEST(corrupt(75, 1, "reserved") == 75U);
  BOOST_TEST(corrupt(72, 5, "view") == 72U);
  constexpr std::size_t r = 136;                                 // record size
  BOOST_TEST(corrupt(h + r, 0, "ascending pid") == h + r);       // pid 7 -> 0
  BOOST_TEST(corrupt(h + 6, 0x20, "presence") == h + 4);         // unknown present bit
  BOOST_TEST(corrupt(h + 82, 0x7f, "string area") == h + 80);    // name offset far out
  BOOST_TEST(corrupt(h + 100, 1, "reserved") == h + 100);
  BOOST_TEST(corrupt(h + r + 107, 0x7f, "string area") == h + r + 104);  // cgroup offset
  BOOST_TEST(corrupt(h + r + 129, 8, "reason") == h + r + 129);          // unknown reason bit
  BOOST_TEST(corrupt(h + 133, 1, "reserved") == h + 133);
  // A name byte turned into invalid UTF-8.
  const std::size_t strings = h + 3 * r;
  std::string bytes = good;
  const auto at = bytes.find("init", strings);
  bytes[at] = '\xff';
  BOOST_TEST(failure_offset(bytes, "UTF-8") == at);
}

BOOST_AUTO_TEST_CASE(larger_header_and_records_are_accepted) {
  // A later writer appended 8 header bytes and 8 record bytes.
  const auto s = sample();
  const std::string v1 = encode_file(s);
  std::string bytes = v1.substr(0, 96) + std::string(8, '\0');
  bytes[12] = 104;
  bytes[16] = static_cast<char>(144);
  for (std::size_t i = 0; i < 3; ++i) bytes += v1.substr(96 + i * 136, 136) + std::string(8, '\0');
  bytes += v1.substr(96 + 3 * 136);
  BOOST_TEST(decode_file(bytes, "snap.bin").processes == s.processes);
  // A writer before user_hz (header of 88 bytes) is read too.
  std::string before_hz = v1.substr(0, 88) + v1.substr(96);
  before_hz[12] = 88;
  const auto no_hz = decode_file(before_hz, "snap.bin");
  BOOST_TEST(no_hz.processes == s.processes);
  BOOST_TEST(!no_hz.user_hz.has_value());
  // A writer before taken_at_boot_ns (header of 80 bytes) is read too.
  std::string old = v1.substr(0, 80) + v1.substr(96);
  old[12] = 80;
  const auto back = decode_file(old, "snap.bin");
  BOOST_TEST(back.processes == s.processes);
  BOOST_TEST(!back.taken_at_boot.has_value());
}

BOOST_AUTO_TEST_CASE(version_1_files_are_still_read_without_identity) {
  // Version 1 as its writer laid it out: records of 104 bytes, presence bits
  // 0-7, no identity. Built from a version 2 encoding of a snapshot without
  // identity, whose first 104 bytes per record are the version 1 layout.
  auto s = sample();
  for (auto& p : s.processes) {
    p.cgroup.reset();
    p.runtime.reset();
    p.container_id.reset();
    p.pod_uid.reset();
    p.reasons.reset();
  }
  const std::string v2 = encode_file(s);
  std::string v1 = v2.substr(0, 88);  // a version 1 header ends before user_hz
  v1[8] = 1;
  v1[12] = 88;
  v1[16] = 104;
  for (std::size_t i = 0; i < 3; ++i) {
    BOOST_TEST(v2.substr(96 + i * 136 + 104, 32) == std::string(32, '\0'));
    v1 += v2.substr(96 + i * 136, 104);
  }
  v1 += v2.substr(96 + 3 * 136);
  const auto back = decode_file(v1, "old.snap");
  BOOST_TEST(back.processes == s.processes);
  BOOST_TEST(!back.processes[1].cgroup.has_value());
  // A version 1 file cannot claim identity presence bits.
  v1[88 + 5] = 1;
  BOOST_TEST(failure_offset(v1, "presence") == 88U + 4);
}

namespace {

// Little-endian bytes written at fixed offsets, independently of the
// library's layout table: the layout as format_version 2 was first written.
struct Bytes {
  std::string data;
  explicit Bytes(std::size_t n) : data(n, '\0') {}
  void put(std::size_t at, std::uint64_t v, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) data[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_file_laid_out_by_hand_decodes) {
  const std::string strings = std::string("device") + "bash" + "bash -l" + "/docker/x" + "abc";
  Bytes b(88 + 136);
  b.data.replace(0, 8, "PROCSNAP");
  b.put(8, 2, 4);     // format version
  b.put(12, 88, 4);   // header size
  b.put(16, 136, 4);  // record size
  b.put(20, 1, 4);    // records
  b.put(24, strings.size(), 8);
  b.put(32, 4000, 8);  // mem_total_kb
  b.put(40, 1000, 8);  // mem_free_kb
  b.put(48, 1700000000000000000ULL, 8);
  b.put(56, 5000, 8);  // read_duration_ns
  b.put(64, 0, 4);     // source: "device"
  b.put(68, 6, 4);
  b.put(72, 1, 1);  // view containers
  b.put(80, 77000000000ULL, 8);
  const std::size_t r = 88;
  b.put(r + 0, 42, 4);
  b.put(r + 4, 0x1fff, 4);  // every member present
  b.put(r + 8, 1, 4);       // ppid
  b.put(r + 12, 1000, 4);   // uid
  b.put(r + 16, 100, 4);    // gid
  b.put(r + 20, 3, 4);      // nr_threads
  b.put(r + 24, 0x2, 4);    // flags: container
  b.put(r + 28, 125, 4);    // mem_pct_x100
  b.put(r + 32, 9000, 8);   // vsz_kb
  b.put(r + 40, 50, 8);     // rss_kb
  b.put(r + 48, 12, 8);     // cpu_ticks
  b.put(r + 56, 70, 8);     // utime_ns
  b.put(r + 64, 50, 8);     // stime_ns
  b.put(r + 72, 6000, 8);   // start_time_ns
  b.put(r + 80, 6, 4);      // name "bash"
  b.put(r + 84, 4, 4);
  b.put(r + 88, 10, 4);  // cmdline "bash -l"
  b.put(r + 92, 7, 4);
  b.put(r + 96, 'S', 1);
  b.put(r + 104, 17, 4);  // cgroup "/docker/x"
  b.put(r + 108, 9, 4);
  b.put(r + 112, 26, 4);  // container_id "abc"
  b.put(r + 116, 3, 4);
  b.put(r + 120, 29, 4);  // pod_uid "", at the end of the area
  b.put(r + 124, 0, 4);
  b.put(r + 128, 1, 1);    // runtime docker
  b.put(r + 129, 0x3, 1);  // reasons keyword, cgroup
  const auto s = decode_file(b.data + strings, "hand.snap");
  BOOST_TEST(s.source == "device");
  BOOST_TEST(s.mem_total_kb == 4000U);
  BOOST_TEST(s.mem_free_kb == 1000U);
  BOOST_TEST(s.taken_at.time_since_epoch().count() > 0);
  BOOST_TEST(s.read_duration.count() == 5000);
  BOOST_TEST((s.view == procinfo::View::containers));
  BOOST_TEST(s.taken_at_boot->count() == 77000000000LL);
  BOOST_REQUIRE(s.processes.size() == 1U);
  const procinfo::Process& p = s.processes[0];
  BOOST_TEST(p.pid == 42U);
  BOOST_TEST(*p.ppid == 1U);
  BOOST_TEST(*p.uid == 1000U);
  BOOST_TEST(*p.gid == 100U);
  BOOST_TEST(*p.nr_threads == 3U);
  BOOST_TEST(*p.flags == procinfo::ProcessFlag::container);
  BOOST_TEST(p.mem_pct_x100 == 125U);
  BOOST_TEST(p.vsz_kb == 9000U);
  BOOST_TEST(p.rss_kb == 50U);
  BOOST_TEST(p.cpu_ticks == 12U);
  BOOST_TEST(*p.utime_ns == 70U);
  BOOST_TEST(*p.stime_ns == 50U);
  BOOST_TEST(*p.start_time_ns == 6000U);
  BOOST_TEST(p.name == "bash");
  BOOST_TEST(p.cmdline == "bash -l");
  BOOST_TEST(p.state == 'S');
  BOOST_TEST(*p.cgroup == "/docker/x");
  BOOST_TEST(*p.container_id == "abc");
  BOOST_TEST(*p.pod_uid == "");
  BOOST_TEST((*p.runtime == procinfo::Runtime::docker));
  BOOST_TEST(*p.reasons ==
             (procinfo::ContainerReason::keyword | procinfo::ContainerReason::cgroup));
  BOOST_TEST(!s.user_hz.has_value());  // not in a header of 88 bytes
  // The encoder lays the same snapshot out as by hand, with user_hz
  // appended to the header.
  auto with_hz = s;
  with_hz.user_hz = 250;
  const std::string encoded = encode_file(with_hz);
  BOOST_TEST(encoded.substr(0, 12) == b.data.substr(0, 12));
  BOOST_TEST(encoded[12] == 96);
  BOOST_TEST(encoded.substr(13, 75) == b.data.substr(13, 75));
  BOOST_TEST(encoded.substr(88, 8) == std::string("\xfa\0\0\0\0\0\0\0", 8));
  BOOST_TEST(encoded.substr(96) == b.data.substr(88) + strings);
}

BOOST_AUTO_TEST_SUITE_END()
