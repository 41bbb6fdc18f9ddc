// SPDX-License-Identifier: GPL-2.0 OR MIT
// libprocinfo: process information from the procinfo driver or from /proc.
//
//   #include <procinfo/procinfo.hpp>
//   auto snap = procinfo::read_snapshot(procinfo::SourceSpec::parse("device"));
//   for (const auto& p : snap.processes) fmt::print("{} {}\n", p.pid, p.name);
#pragma once

#include <procinfo/compare.hpp>
#include <procinfo/error.hpp>
#include <procinfo/model.hpp>
#include <procinfo/source.hpp>
#include <procinfo/version.hpp>
