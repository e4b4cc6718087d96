// kafka consumer groups' pure state: range and round-robin assignment, positions rewound to the
// last commit (redeliveries counted as duplicates), lag against the high watermark, and the
// per-partition order check.
#include <catch2/catch.hpp>

#include "models/kafka_group.h"

using namespace archsim::kafka;

namespace {
std::vector<std::vector<size_t>> parts_of(const std::vector<std::pair<size_t, std::vector<size_t>>>& a)
{
  std::vector<std::vector<size_t>> out;
  for (const auto& e : a)
    out.push_back(e.second);
  return out;
}
}  // namespace

TEST_CASE("kafka range assignment: contiguous runs, the first members one more")
{
  auto a = assign(7, {2, 0, 1}, Assignment::Range);
  CHECK(a[0].first == 0);
  CHECK(parts_of(a) == std::vector<std::vector<size_t>>{{0, 1, 2}, {3, 4}, {5, 6}});
}

TEST_CASE("kafka round-robin assignment: partition p to member p mod n")
{
  auto a = assign(7, {0, 1, 2}, Assignment::RoundRobin);
  CHECK(parts_of(a) == std::vector<std::vector<size_t>>{{0, 3, 6}, {1, 4}, {2, 5}});
}

TEST_CASE("kafka assignment: members beyond the partition count get nothing")
{
  auto a = assign(2, {0, 1, 2, 3}, Assignment::Range);
  CHECK(parts_of(a) == std::vector<std::vector<size_t>>{{0}, {1}, {}, {}});
  CHECK(assign(3, {}, Assignment::Range).empty());
}

TEST_CASE("kafka offsets: a crash rewinds to the last commit and what follows is processed twice")
{
  GroupOffsets g(2);
  for (uint64_t o = 0; o < 10; ++o)
    CHECK_FALSE(g.processed(0, o));
  CHECK(g.commit(0) == 10);
  for (uint64_t o = 10; o < 15; ++o)
    g.processed(0, o);
  CHECK(g.lag(0, 20) == 10);
  g.rewind_to_committed(0);  // crash before the next commit
  CHECK(g.position(0) == 10);
  int duplicates = 0;
  for (uint64_t o = 10; o < 20; ++o)
    duplicates += g.processed(0, o) ? 1 : 0;
  CHECK(duplicates == 5);
  CHECK(g.commit(0) == 10);
  CHECK(g.lag(0, 20) == 0);
  CHECK(g.committed(1) == 0);
}

TEST_CASE("kafka offsets: a reset past deleted records counts them skipped")
{
  GroupOffsets g(1);
  CHECK(g.reset(0, 30) == 30);
  CHECK(g.reset(0, 20) == 0);
  CHECK(g.position(0) == 20);
}

TEST_CASE("kafka order check: per producer and partition, sequences must rise")
{
  OrderCheck c;
  CHECK_FALSE(c.out_of_order(0, 1, 5));
  CHECK_FALSE(c.out_of_order(0, 2, 1));  // another producer: its own order
  CHECK_FALSE(c.out_of_order(1, 1, 0));  // another partition
  CHECK_FALSE(c.out_of_order(0, 1, 6));
  CHECK(c.out_of_order(0, 1, 4));
}
