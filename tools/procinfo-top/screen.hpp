// SPDX-License-Identifier: GPL-2.0 OR MIT
// The terminal view of procinfo-top, on ncurses.
#pragma once

#include "model.hpp"

#include <string_view>

namespace top {

// The keys of the view and what they do, as the help screen lists them.
extern const std::string_view help_text;

// Shows the view until q, SIGINT, SIGTERM or SIGHUP; the terminal is
// restored on every way out, an exception included. Returns the exit status.
int run_screen(Sampler& sampler, Settings& settings);

}  // namespace top
