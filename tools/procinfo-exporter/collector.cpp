// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "collector.hpp"

#include <unistd.h>

#include <fmt/format.h>

#include <chrono>
#include <exception>
#include <utility>

namespace exporter {

void log_line(std::string_view message) noexcept {
  try {
    const std::string line = fmt::format("procinfo-exporter: {}\n", message);
    std::string_view rest = line;
    while (!rest.empty()) {
      const ssize_t n = ::write(STDERR_FILENO, rest.data(), rest.size());
      if (n <= 0) return;
      rest.remove_prefix(static_cast<std::size_t>(n));
    }
  } catch (...) {
  }
}

SelfMetrics::SelfMetrics(const std::string& source)
    : registry_(std::make_shared<prometheus::Registry>()),
      errors_(prometheus::BuildCounter()
                  .Name("procinfo_scrape_errors_total")
                  .Help("Snapshots that could not be read from the source.")
                  .Register(*registry_)
                  .Add({})),
      duration_(prometheus::BuildGauge()
                    .Name("procinfo_scrape_duration_seconds")
                    .Help("Time the last snapshot took to read from the source.")
                    .Register(*registry_)
                    .Add({})) {
  prometheus::BuildGauge()
      .Name("procinfo_source_info")
      .Help("The source the exporter reads (the SDK's source string), always 1.")
      .Register(*registry_)
      .Add({{"source", source}})
      .Set(1);
}

SnapshotCollector::SnapshotCollector(procinfo::SourceSpec source, procinfo::ReadOptions options,
                                     std::size_t top_n, const SelfMetrics& self)
    : source_(std::move(source)),
      options_(options),
      none_(std::make_shared<const std::vector<prometheus::MetricFamily>>()),
      top_n_(top_n),
      self_(self) {}

namespace {
// Unset (epoch) on a thread that did not come through begin_request.
thread_local std::chrono::steady_clock::time_point request_arrival;
}  // namespace

void note_request_arrival() noexcept { request_arrival = std::chrono::steady_clock::now(); }

std::vector<prometheus::MetricFamily> SnapshotCollector::Collect() const {
  const Clock::time_point arrived =
      request_arrival == Clock::time_point{} ? Clock::now() : request_arrival;
  request_arrival = {};
  const std::lock_guard lock(mutex_);
  if (!last_ || arrived > last_finished_) {
    last_ = read();
    last_finished_ = Clock::now();
  }
  return *last_;
}

SnapshotCollector::Families SnapshotCollector::read() const noexcept {
  std::string error;
  try {
    // Timed here: a file: snapshot's read_duration is that of the read it saved.
    const auto start = std::chrono::steady_clock::now();
    const procinfo::Snapshot snapshot = procinfo::SnapshotReader(source_, options_).read();
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    auto families = std::make_shared<const std::vector<prometheus::MetricFamily>>(
        snapshot_families(snapshot, top_n_, ledger_));
    self_.duration().Set(took.count());
    if (!last_error_.empty()) {
      log_line(fmt::format("{} is readable again", source_.to_string()));
      last_error_.clear();
    }
    return families;
  } catch (const std::exception& e) {
    error = e.what();
  } catch (...) {
    error = "unexpected error";
  }
  self_.errors().Increment();
  if (error != last_error_) {
    log_line(fmt::format("cannot read a snapshot: {} (counted in procinfo_scrape_errors_total; "
                         "retried at every scrape)",
                         error));
    try {
      last_error_ = std::move(error);
    } catch (...) {
    }
  }
  return none_;
}

}  // namespace exporter
