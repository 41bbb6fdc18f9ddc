// SPDX-License-Identifier: GPL-2.0 OR MIT
// The collector procinfo-exporter registers with the exposer: one snapshot
// per scrape, shared by the scrapes that arrive while it is being read.
#pragma once

#include "metrics.hpp"

#include <procinfo/source.hpp>

#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <cstddef>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace exporter {

// The exporter's own metrics, in a registry of their own: registered after
// the collector on the same path, so that a scrape shows the figures of the
// snapshot it carries.
class SelfMetrics {
 public:
  explicit SelfMetrics(const std::string& source);

  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }
  prometheus::Counter& errors() const noexcept { return errors_; }
  prometheus::Gauge& duration() const noexcept { return duration_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Counter& errors_;
  prometheus::Gauge& duration_;
};

// When the HTTP request being served on this thread arrived: civetweb's
// begin_request callback (note_request_arrival) sets it before the handler
// runs, in the same worker thread.
void note_request_arrival() noexcept;

class SnapshotCollector final : public prometheus::Collectable {
 public:
  SnapshotCollector(procinfo::SourceSpec source, procinfo::ReadOptions options, std::size_t top_n,
                    const SelfMetrics& self);

  // The families of a snapshot; after a failed read, none (the failure is
  // counted and logged, and the scrape still answers with the exporter's
  // own metrics). A scrape that arrived before the last read finished
  // takes that read's result: prometheus-cpp collects one scrape of a path
  // at a time, so the scrapes that queue up behind a read share it instead
  // of each walking every process in turn.
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  using Families = std::shared_ptr<const std::vector<prometheus::MetricFamily>>;
  using Clock = std::chrono::steady_clock;
  Families read() const noexcept;

  // Guards everything below: one read at a time.
  mutable std::mutex mutex_;
  mutable Families last_;
  mutable Clock::time_point last_finished_;
  // A reader per read, not one kept: a kept reader holds /dev/procinfo
  // open, and an open device keeps sysinfo.ko from being unloaded (a
  // DKMS upgrade) for as long as the exporter runs.
  procinfo::SourceSpec source_;
  procinfo::ReadOptions options_;
  mutable ContainerCpuLedger ledger_;
  mutable std::string last_error_;  // logged once until the source recovers
  Families none_;                    // what a failed read shows
  std::size_t top_n_;
  const SelfMetrics& self_;
};

// Writes "procinfo-exporter: MESSAGE" to standard error (the journal, under
// systemd), ignoring failures: a log line is never a reason to stop.
void log_line(std::string_view message) noexcept;

}  // namespace exporter
