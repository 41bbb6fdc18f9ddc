// SPDX-License-Identifier: GPL-2.0 OR MIT
#include "oracle.h"

#include "device.hpp"
#include "jsondoc.hpp"

#include <fmt/format.h>
#include <cstdlib>

namespace {

std::string last_problem;

const char* first_of(const std::vector<std::string>& errors) {
  if (errors.empty()) return nullptr;
  last_problem = errors.front();
  if (errors.size() > 1) last_problem += fmt::format(" (and {} more)", errors.size() - 1);
  return last_problem.c_str();
}

}  // namespace

extern "C" const char* oracle_check_json(const char* doc, size_t len, long** pids, size_t* npids) {
  namespace jd = procinfo::jsondoc;
  jd::Doc d;
  std::vector<std::string> errors;
  if (!jd::parse(std::string_view(doc, len), {}, d, errors) && errors.empty())
    errors.push_back("unreadable document");
  if (pids) {
    *pids = static_cast<long*>(std::malloc(sizeof(long) * (d.entries.size() + 1)));
    if (!*pids) std::abort();
    for (std::size_t i = 0; i < d.entries.size(); ++i)
      (*pids)[i] = static_cast<long>(d.entries[i].pid);
    *npids = d.entries.size();
  }
  return first_of(errors);
}

extern "C" char oracle_json_state(const char* doc, size_t len, long pid) {
  namespace jd = procinfo::jsondoc;
  jd::Doc d;
  std::vector<std::string> errors;
  jd::parse(std::string_view(doc, len), {}, d, errors);
  for (auto& e : d.entries)
    if (static_cast<long>(e.pid) == pid) return e.state.size() == 1 ? e.state[0] : '?';
  return 0;
}

extern "C" const char* oracle_check_snapshot(int fd, const procinfo_snapshot_req* req,
                                             const unsigned char* buf, uint32_t flags) {
  namespace dev = procinfo::device;
  dev::Snapshot snap;
  std::vector<std::string> errors;
  if (dev::version(fd, snap.ver, errors)) {
    snap.req = *req;
    dev::decode(buf, req->buf_len, flags, snap, true, errors);
  }
  return first_of(errors);
}
