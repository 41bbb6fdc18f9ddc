// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// Comparisons of the driver's outputs with the kernel's own /proc, and of
// the device with the JSON document.
#pragma once

#include "device.hpp"
#include "jsondoc.hpp"
#include "truth.hpp"

#include <set>
#include <string>
#include <string_view>

namespace procinfo::compare {

// Collects and prints problems.
struct Report {
  int problems = 0;
  void fail(std::string_view msg);
  void mismatch(long pid, std::string_view name, std::string_view field, std::string_view got,
                std::string_view want);
};

struct Options {
  std::set<long> strict;    // stopped processes: every field exact
  std::set<long> required;  // must be listed
  bool containers = false;  // the containers view
  bool exact_set = false;   // no listed pid may be missing from /proc
};

// Whether the truth says the process belongs to the containers view.
bool in_container_view(const truth::Proc& p);

void json_vs_truth(const jsondoc::Doc& doc, const truth::Snapshot& before,
                   const truth::Snapshot& after, const Options& opt, Report& rep);

void device_vs_truth(const device::Snapshot& snap, const truth::Snapshot& before,
                     const truth::Snapshot& after, const Options& opt, Report& rep);

void device_vs_json(const device::Snapshot& snap, const jsondoc::Doc& doc,
                    const truth::Snapshot& before, const truth::Snapshot& after, const Options& opt,
                    Report& rep);

}  // namespace procinfo::compare
