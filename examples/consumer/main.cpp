// SPDX-License-Identifier: GPL-2.0 OR MIT
// Prints the five processes with the largest resident set.
//
//   consumer [SOURCE]    SOURCE: json[:PATH], device[:PATH], procfs[:ROOT] or
//                        file:PATH; default procfs
#include <procinfo/procinfo.hpp>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <vector>

int main(int argc, char** argv) {
  try {
    const auto source = procinfo::SourceSpec::parse(argc > 1 ? argv[1] : "procfs");
    const procinfo::Snapshot snapshot = procinfo::read_snapshot(source);

    std::vector<const procinfo::Process*> top;
    for (const procinfo::Process& p : snapshot.processes) top.push_back(&p);
    const auto count = std::min<std::size_t>(5, top.size());
    std::partial_sort(top.begin(), top.begin() + static_cast<std::ptrdiff_t>(count), top.end(),
                      [](const auto* a, const auto* b) { return a->rss_kb > b->rss_kb; });

    for (std::size_t i = 0; i < count; ++i) {
      const procinfo::Process& p = *top[i];
      std::printf("%7u %10llu kB %6s%% %s\n", p.pid, static_cast<unsigned long long>(p.rss_kb),
                  procinfo::format_mem_pct(p.mem_pct_x100).c_str(), p.name.c_str());
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "consumer: %s\n", e.what());
    return 1;
  }
}
