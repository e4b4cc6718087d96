// Pure state of the object_store model: token buckets per prefix, object index, part split.
#include <catch2/catch.hpp>

#include "models/object_store_limits.h"

using namespace archsim::objstore;

TEST_CASE("object_store limits: a prefix admits its rate plus its burst, and refills")
{
  PrefixLimiter lim(2, 5500, 3500, 0.1);
  int admitted = 0;
  for (int i = 0; i < 1000; ++i)
    admitted += lim.admit(0, OpClass::Read, 0.0) ? 1 : 0;  // key 0 -> prefix 0
  CHECK(admitted == 550);
  CHECK(lim.admit(1, OpClass::Read, 0.0));    // another prefix has its own bucket
  CHECK(lim.admit(0, OpClass::Write, 0.0));   // and writes their own
  CHECK_FALSE(lim.admit(2, OpClass::Read, 0.0));  // key 2 -> prefix 0, still empty
  CHECK(lim.admit(0, OpClass::Read, 0.001));  // 1 ms of 5,500/s = 5.5 tokens
}

TEST_CASE("object_store limits: parts are ceil(size / part), the last one smaller")
{
  auto p = split_parts(20e6, 8e6);
  REQUIRE(p.size() == 3);
  CHECK(p[2] == Approx(4e6));
  CHECK(split_parts(16e6, 8e6).size() == 2);
  ObjectIndex idx(false);
  CHECK_FALSE(idx.exists(7));
  idx.put(7);
  CHECK(idx.exists(7));
  CHECK(ObjectIndex(true).exists(99));
}
