// The unit-test program of libprocinfo.
#define BOOST_TEST_MODULE procinfo_unit
#include <boost/test/unit_test.hpp>
