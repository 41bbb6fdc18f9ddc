// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// Strict reader of the /proc/{sysinfo,continfo}_so1_202041390 documents:
// RFC 8259 validity (simdjson), the exact line layout and key order of the
// contract, canonical escaping, sorting and the document's own arithmetic.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace procinfo::jsondoc {

struct Entry {
  std::uint64_t pid = 0;
  std::string name, cmdline;          // decoded
  std::string raw_name, raw_cmdline;  // as written between the quotes
  std::uint64_t vsz_kb = 0, rss_kb = 0, proc_jiffies = 0;
  std::string mem_pct, state;
  std::size_t line = 0;
};

struct Doc {
  std::uint64_t mem_total_kb = 0, mem_free_kb = 0, mem_used_kb = 0;
  std::string array_key;  // "processes" or "containers"
  std::vector<Entry> entries;
  std::size_t bytes = 0;
};

// Parses and validates text; appends one message per problem to errors.
// want_key is "processes" or "containers"; empty: whichever the text has.
// Returns false when the document could not be read at all (entries may
// still be partly filled when only layout rules were broken).
bool parse(std::string_view text, std::string_view want_key, Doc& doc,
           std::vector<std::string>& errors);

}  // namespace procinfo::jsondoc

namespace procinfo::truth {
struct Snapshot;
}

namespace procinfo::jsondoc {

// Writes the document the contract prescribes for a /proc truth snapshot
// (a reference to test the checker with, and to diff against).
std::string reference(const truth::Snapshot& s, bool containers);

}  // namespace procinfo::jsondoc
