// SPDX-License-Identifier: GPL-2.0 OR MIT
// The metrics procinfo-exporter derives from one snapshot.
#pragma once

#include <procinfo/model.hpp>

#include <prometheus/metric_family.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace exporter {

// CPU time of p in seconds: utime + stime where the source has them in
// nanoseconds, else its clock ticks at user_hz per second.
double cpu_seconds(const procinfo::Process& p, std::uint32_t user_hz) noexcept;

// The CPU time of each container, kept monotonic as its processes come and
// go. A process's CPU time is the kernel's for its whole thread group, dead
// threads included; when the process itself exits, the kernel moves its
// time to the parent that reaps it (cutime), which the container's sum
// over live processes no longer sees. The ledger therefore remembers, per
// container, the last CPU time seen of each process, and adds it to the
// container's "departed" total when the process is gone. What a process
// used between the last snapshot that saw it and its exit is lost, so the
// counter never goes back but can fall short by that much. A container
// with no process left is forgotten (its series disappears), and so is all
// of this when the exporter restarts (a counter reset to Prometheus).
class ContainerCpuLedger {
 public:
  struct Key {
    procinfo::Runtime runtime = procinfo::Runtime::none;
    std::string container_id;
    std::string pod_uid;
    friend auto operator<=>(const Key&, const Key&) = default;
  };

  // Takes the processes of one snapshot, each with its container's key and
  // CPU time, and returns each container's total (departed + live).
  struct Sample {
    const Key* key;
    std::uint32_t pid;
    std::uint64_t start_time_ns;  // 0 where the source lacks it
    double cpu_seconds;
  };
  std::map<Key, double> update(const std::vector<Sample>& samples);

  std::size_t containers() const noexcept { return containers_.size(); }

 private:
  using ProcessKey = std::pair<std::uint32_t, std::uint64_t>;  // pid, start time
  struct Container {
    double departed = 0;
    std::map<ProcessKey, double> last;
  };
  std::map<Key, Container> containers_;
};

// What the snapshot shows, as metric families (see procinfo-exporter(1)):
// host memory, processes by state, threads, per-container processes, CPU
// and memory, and with top_n > 0 per-process series for the top_n largest
// by resident memory and the top_n largest by CPU time. Families the source
// cannot fill (threads from the JSON files, containers from sources without
// the container identity) are left out.
std::vector<prometheus::MetricFamily> snapshot_families(const procinfo::Snapshot& snapshot,
                                                        std::size_t top_n,
                                                        ContainerCpuLedger& ledger);

}  // namespace exporter
