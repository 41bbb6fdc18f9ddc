# SPDX-License-Identifier: GPL-2.0 OR MIT
#
# procinfo::warnings: the one place the project's warning flags live. Every
# target of the tree links it PRIVATE. Warnings are errors only when
# PROCINFO_WERROR is ON: the dev and ci presets turn it on; a user's or a
# packager's build (plain cmake, the package preset, debian/rules) never
# fails on a warning a newer compiler invents.
include_guard(GLOBAL)

option(PROCINFO_WERROR "Treat compiler warnings as errors (on in the dev and ci presets)" OFF)

if(NOT TARGET procinfo_warnings)
  add_library(procinfo_warnings INTERFACE)
  add_library(procinfo::warnings ALIAS procinfo_warnings)
  target_compile_options(procinfo_warnings INTERFACE
    -Wall -Wextra
    $<$<COMPILE_LANGUAGE:CXX>:-Wpedantic>
    $<$<BOOL:${PROCINFO_WERROR}>:-Werror>)
endif()
