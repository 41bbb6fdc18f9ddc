// SPDX-License-Identifier: GPL-2.0 OR MIT
// What the tools share about choosing a source: when a failure of the
// device (or a driver's JSON file) is a reason to read the next source.
#pragma once

#include <procinfo/error.hpp>

#include <cerrno>
#include <exception>
#include <system_error>

namespace tools {

// Whether a failure to read a driver source is a reason to read the next
// one instead: the source is not there, not ours to open, or speaks another
// ABI. A source that answers garbage is an error to report, not to hide.
inline bool falls_back(const std::exception& e) {
  if (dynamic_cast<const procinfo::SourceUnavailable*>(&e)) return true;
  if (dynamic_cast<const procinfo::AbiMismatch*>(&e)) return true;
  if (const auto* se = dynamic_cast<const std::system_error*>(&e)) {
    const int err = se->code().value();
    return err == EACCES || err == EPERM || err == ENOTTY;
  }
  return false;
}

}  // namespace tools
