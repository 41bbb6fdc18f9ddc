// SPDX-License-Identifier: GPL-2.0 OR MIT
// Symbol visibility: the library is built with hidden visibility; only
// declarations marked PROCINFO_API are exported.
#pragma once

#if defined(PROCINFO_STATIC)
#define PROCINFO_API
#else
#define PROCINFO_API __attribute__((visibility("default")))
#endif
