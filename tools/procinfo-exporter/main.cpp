// SPDX-License-Identifier: GPL-2.0 OR MIT
// procinfo-exporter: the processes and containers of a procinfo source as
// Prometheus metrics.
#include "../common/cli.hpp"
#include "../common/run_main.hpp"
#include "../common/source.hpp"
#include "collector.hpp"

#include <procinfo/procinfo.hpp>

#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>

#include <CLI/CLI.hpp>
#include <CivetServer.h>
#include <fmt/format.h>
#include <prometheus/exposer.h>

#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

constexpr std::string_view tool = "procinfo-exporter";
constexpr int exit_error = tools::exit_usage_or_io_error;
constexpr std::string_view default_listen_address = "127.0.0.1:9356";
// Scrapes served at once; a connection that sends nothing is dropped after
// request_timeout, so slow or half-open clients hold a thread that long.
constexpr int http_threads = 32;
constexpr int request_timeout_ms = 5000;
constexpr std::size_t top_n_max = 10000;
// How long a stop waits for scrapes being served (a read of a source that
// hangs would hold it for ever).
constexpr auto stop_deadline = std::chrono::seconds(3);

struct Options {
  std::string listen_address{default_listen_address};
  std::string telemetry_path = "/metrics";
  std::optional<procinfo::SourceSpec> source;  // nullopt: device, else JSON, else procfs
  procinfo::View view = procinfo::View::all;
  std::size_t top_n = 0;
};

// "HOST:PORT", "[IPV6]:PORT" or ":PORT" (every address) as civetweb's
// listening_ports value; HOST may be a name, resolved once here.
std::string civetweb_port(std::string_view address) {
  const auto colon = address.rfind(':');
  const auto bad = [&](std::string_view why) {
    return tools::usage_error(fmt::format(
        "--web.listen-address: '{}' {}; give HOST:PORT or :PORT", address, why));
  };
  if (colon == std::string_view::npos) throw bad("has no port");
  const std::string_view port_text = address.substr(colon + 1);
  const auto port = tools::parse_number<unsigned>("--web.listen-address", port_text, 0, 65535,
                                                  "a port number");
  std::string_view host = address.substr(0, colon);
  if (host.empty()) return fmt::format("+{}", port);  // IPv4 and IPv6
  const bool bracketed = host.front() == '[';
  if (bracketed) {
    if (host.size() < 3 || host.back() != ']') throw bad("is not a bracketed IPv6 address");
    host = host.substr(1, host.size() - 2);
  }
  addrinfo hints{};
  hints.ai_family = bracketed ? AF_INET6 : AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string name(host);
  if (const int rc = ::getaddrinfo(name.c_str(), nullptr, &hints, &found); rc != 0)
    throw bad(fmt::format("names no address here ({})", ::gai_strerror(rc)));
  const std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner(found, &::freeaddrinfo);
  char numeric[NI_MAXHOST];
  if (::getnameinfo(found->ai_addr, found->ai_addrlen, numeric, sizeof numeric, nullptr, 0,
                    NI_NUMERICHOST) != 0)
    throw bad("names no usable address");
  return found->ai_family == AF_INET6 ? fmt::format("[{}]:{}", numeric, port)
                                      : fmt::format("{}:{}", numeric, port);
}

// The source given, or the first of device, JSON file and procfs that gives
// a snapshot; says which on standard error.
procinfo::SourceSpec choose_source(const Options& o, const procinfo::ReadOptions& read_options) {
  const auto view = procinfo::to_string(o.view);
  if (o.source) {
    try {
      procinfo::SnapshotReader(*o.source, read_options).read();
      exporter::log_line(fmt::format("reading {} (view {})", o.source->to_string(), view));
    } catch (const std::exception& e) {
      exporter::log_line(fmt::format("reading {} (view {}), which fails for now: {}",
                                     o.source->to_string(), view, e.what()));
    }
    return *o.source;
  }
  for (const std::string_view kind : {"device", "json"}) {
    const auto source = procinfo::SourceSpec::parse(kind);
    try {
      procinfo::SnapshotReader(source, read_options).read();
      exporter::log_line(fmt::format("reading {} (view {})", source.to_string(), view));
      return source;
    } catch (const std::exception& e) {
      exporter::log_line(fmt::format("note: {}: {}; trying the next source (--source chooses one)",
                                     source.to_string(), e.what()));
    }
  }
  exporter::log_line(fmt::format("reading procfs (view {})", view));
  return procinfo::SourceSpec::parse("procfs");
}

Options finish(const std::string& listen, const std::string& path, const std::string& source,
               const std::string& view, std::size_t top_n) {
  Options o;
  o.listen_address = listen;
  civetweb_port(listen);  // checked now, so that a typo is a usage error
  if (path.empty() || path.front() != '/')
    throw tools::usage_error(
        fmt::format("--web.telemetry-path: '{}' is not a path (it starts with '/')", path));
  o.telemetry_path = path;
  if (!source.empty()) {
    try {
      o.source = procinfo::SourceSpec::parse(source);
    } catch (const std::invalid_argument& e) {
      throw tools::usage_error(fmt::format("--source: {}", e.what()));
    }
  }
  try {
    o.view = procinfo::parse_view(view);
  } catch (const std::invalid_argument&) {
    throw tools::usage_error(fmt::format("--view: '{}' is not a view; views: all, containers", view));
  }
  o.top_n = top_n;
  return o;
}

int run(int argc, char** argv) {
  CLI::App app{
      "Serves the processes and containers of a procinfo source as Prometheus metrics. "
      "Exit status: 0 stopped by SIGTERM or SIGINT, 2 usage error or cannot listen.",
      std::string(tool)};
  app.set_version_flag("--version", std::string(PROCINFO_VERSION_STRING));
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  std::string listen(default_listen_address);
  std::string path = "/metrics";
  std::string source;
  std::string view = "all";
  std::string top_n_text = "0";
  app.add_option("--web.listen-address", listen,
                 fmt::format("address to serve on: HOST:PORT, or :PORT for every address "
                             "(default: {})",
                             default_listen_address))
      ->type_name("ADDR");
  app.add_option("--web.telemetry-path", path, "path of the metrics (default: /metrics)")
      ->type_name("PATH");
  app.add_option("--source", source,
                 "where to read the processes from: device[:PATH], json[:PATH], procfs[:ROOT] or "
                 "file:PATH (default: device, else the JSON file, else procfs)")
      ->type_name("SRC");
  app.add_option("--view", view, "which processes: all (default) or containers")
      ->type_name("VIEW");
  app.add_option("--top-n", top_n_text,
                 "also export the N largest processes by resident memory and by CPU time, "
                 "labelled by pid and name (default: 0, none: per-pid labels make many series)")
      ->type_name("N");

  Options o;
  if (const auto status = tools::parse_command_line(app, argc, argv, tool, exit_error, [&] {
        const auto top_n =
            tools::parse_number<std::size_t>("--top-n", top_n_text, 0, top_n_max);
        o = finish(listen, path, source, view, top_n);
      }))
    return *status;

  // Signals are taken by sigwait() below; every thread started from here on
  // (civetweb's) inherits the mask.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  if (const int rc = ::pthread_sigmask(SIG_BLOCK, &stop, nullptr); rc != 0)
    throw std::system_error(rc, std::generic_category(), "cannot block SIGINT and SIGTERM");

  // Command lines are not exported: the device then skips reading them,
  // the larger part of a snapshot's cost.
  const procinfo::ReadOptions read_options{.view = o.view, .cmdlines = false};
  const procinfo::SourceSpec chosen = choose_source(o, read_options);
  const exporter::SelfMetrics self(chosen.to_string());
  const auto collector =
      std::make_shared<exporter::SnapshotCollector>(chosen, read_options, o.top_n, self);

  CivetCallbacks callbacks;
  callbacks.begin_request = [](mg_connection*) {
    exporter::note_request_arrival();
    return 0;  // civetweb goes on to serve it
  };
  std::optional<prometheus::Exposer> exposer;
  try {
    exposer.emplace(
        std::vector<std::string>{"listening_ports", civetweb_port(o.listen_address),
                                 "num_threads", std::to_string(http_threads),
                                 "request_timeout_ms", std::to_string(request_timeout_ms)},
        &callbacks);
  } catch (const std::exception& e) {
    // Debian's civetweb is built without IPv6: a bracketed address fails here.
    exporter::log_line(fmt::format(
        "cannot listen on {} ({}); is another program using the port? choose another with "
        "--web.listen-address{}",
        o.listen_address, e.what(),
        o.listen_address.starts_with('[')
            ? " (an IPv6 address needs civetweb built with IPv6, which Debian's is not)"
            : ""));
    return exit_error;
  }
  exposer->RegisterCollectable(collector, o.telemetry_path);
  exposer->RegisterCollectable(self.registry(), o.telemetry_path);
  // The port actually bound: :0 asks the system for a free one.
  const std::string_view host =
      std::string_view(o.listen_address).substr(0, o.listen_address.rfind(':'));
  for (const int port : exposer->GetListeningPorts())
    exporter::log_line(
        fmt::format("listening on {}:{}, metrics at {}", host, port, o.telemetry_path));

  int signal = 0;
  while (::sigwait(&stop, &signal) != 0) {
  }
  exporter::log_line(fmt::format("stopping on {}", ::sigabbrev_np(signal)));
  std::thread([] {
    std::this_thread::sleep_for(stop_deadline);
    exporter::log_line("a scrape is still being served; stopping without it");
    std::_Exit(0);
  }).detach();
  exposer.reset();  // waits for the scrapes being served
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return tools::run_main(tool, run, argc, argv); }
