// SPDX-License-Identifier: GPL-2.0 OR MIT
// The unit-test program of libprocinfo.
#define BOOST_TEST_MODULE procinfo_unit
#include <boost/test/unit_test.hpp>
