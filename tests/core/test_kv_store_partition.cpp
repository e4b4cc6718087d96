// kv_store's pure state: capacity units, token buckets with burst and ceiling,
// replica item views with versions and TTL, leadership, and the read-version
// memory of conditional writes.
#include <catch2/catch.hpp>

#include "models/kv_store_partition.h"

using namespace archsim::kv;

TEST_CASE("kv_store units: a read unit per 4 KB (half when eventual), a write unit per 1 KB")
{
  CHECK(read_units(1000, true) == 1.0);
  CHECK(read_units(1000, false) == 0.5);
  CHECK(read_units(6000, true) == 2.0);  // rounded up to 8 KB
  CHECK(read_units(6000, false) == 1.0);
  CHECK(read_units(4096, true) == 1.0);
  CHECK(read_units(0, true) == 1.0);  // every request costs at least a unit
  CHECK(write_units(1000) == 1.0);
  CHECK(write_units(1500) == 2.0);
  CHECK(write_units(400000) == 391.0);
}

namespace {
// Offers `rate` requests/s of one unit each for `seconds`, evenly spaced;
// returns how many pass.
int offer(PartitionThrottle& t, double rate, double seconds, double start = 0)
{
  int admitted = 0;
  for (double k = 0; k < rate * seconds; ++k)
    admitted += t.admit(1, start + k / rate);
  return admitted;
}
}  // namespace

TEST_CASE("kv_store throttle: everything passes just under the rate, the excess is refused just over it")
{
  PartitionThrottle under(100, 0, kPartitionReadCap);
  CHECK(offer(under, 95, 60) == 95 * 60);
  PartitionThrottle over(100, 0, kPartitionReadCap);
  // 105/s for 60 s: the initial second of capacity (100) plus 100/s are
  // admitted.
  CHECK(offer(over, 105, 60) == Approx(100 + 100 * 60).margin(2));
}

TEST_CASE("kv_store throttle: unused capacity builds burst credit up to the burst window")
{
  PartitionThrottle with_burst(100, 300, kPartitionReadCap);
  PartitionThrottle no_burst(100, 0, kPartitionReadCap);
  // Idle for 20 s, then 1,000 requests at once.
  auto burst = [](PartitionThrottle& t) {
    int n = 0;
    for (int k = 0; k < 1000; ++k)
      n += t.admit(1, 20.0);
    return n;
  };
  CHECK(burst(with_burst) == 1000);  // 20 s x 100 = 2,000 units of credit
  CHECK(burst(no_burst) == 100);     // only one second's worth
}

TEST_CASE("kv_store throttle: burst credit cannot lift a partition above its hard ceiling")
{
  PartitionThrottle t(3000, 300, kPartitionReadCap);
  int n = 0;
  for (int k = 0; k < 10000; ++k)
    n += t.admit(1,
                 100.0);  // 300,000 units of credit, but the ceiling holds 3,000
  CHECK(n == 3000);
}

TEST_CASE("kv_store throttle: an item larger than the bucket passes when the bucket is full, leaving a debt")
{
  PartitionThrottle t(10, 0, kPartitionWriteCap);
  CHECK(t.admit(50, 0));
  CHECK_FALSE(t.admit(1, 1.0));  // 10 - 50 + 10 = -30
  CHECK(t.admit(1, 4.1));
}

TEST_CASE("kv_store items: followers see a write only once they applied it")
{
  PartitionData d(3, false);
  CHECK_FALSE(d.read(0, 7, 0, 0).exists);
  uint64_t v = d.next_version(7);
  d.apply(0, 7, v, 1.0);
  d.apply(1, 7, v, 1.0);
  CHECK(d.read(1, 7, 2, 0).exists);
  CHECK_FALSE(d.read(2, 7, 2, 0).exists);  // not applied yet: an eventual read here is stale
  CHECK(d.read(2, 7, 2, 0).version < d.latest_version(7));
  uint64_t v2 = d.next_version(7);
  d.apply(2, 7, v2, 3.0);
  d.apply(2, 7, v, 1.0);  // a late, older write does not overwrite a newer one
  CHECK(d.read(2, 7, 4, 0).version == v2);
}

TEST_CASE("kv_store items: an item expires ttl after its write")
{
  PartitionData d(1, false);
  d.apply(0, 1, d.next_version(1), 10.0);
  CHECK(d.read(0, 1, 14.9, 5).exists);
  CHECK_FALSE(d.read(0, 1, 15.1, 5).exists);
  CHECK(d.read(0, 1, 1000, 0).exists);  // ttl 0: never
}

TEST_CASE("kv_store items: preloaded items expire spread over the first ttl, not all at once")
{
  PartitionData d(1, true);
  int alive_early = 0, alive_mid = 0, alive_late = 0;
  for (uint64_t k = 0; k < 10000; ++k) {
    alive_early += d.read(0, k, 0.0, 10).exists;
    alive_mid += d.read(0, k, 5.0, 10).exists;
    alive_late += d.read(0, k, 10.0, 10).exists;
  }
  CHECK(alive_early == 10000);
  CHECK(alive_mid == Approx(5000).margin(200));
  CHECK(alive_late == 0);
  CHECK(d.written_items(0) == 0);  // preloading takes no memory
}

TEST_CASE("kv_store replicas: a crashed leader hands over; without a majority there is no leader")
{
  ReplicaGroup g(3);
  CHECK(g.leader() == 0);
  g.crash(0);
  CHECK(g.leader() == 1);
  CHECK(g.has_majority());
  g.crash(2);
  CHECK_FALSE(g.has_majority());
  CHECK(g.live() == 1);
  g.recover(0);
  CHECK(g.has_majority());
  CHECK(g.leader() == 1);
}

TEST_CASE("kv_store replicas: a recovered replica catches up from the leader")
{
  PartitionData d(3, false);
  uint64_t v = d.next_version(9);
  d.apply(0, 9, v, 1);
  CHECK_FALSE(d.read(2, 9, 2, 0).exists);
  d.catch_up(2, 0);
  CHECK(d.read(2, 9, 2, 0).version == v);
}

TEST_CASE("kv_store read versions: remembered per request and item, oldest forgotten first")
{
  ReadVersions r(2);
  r.record(1, 100, 5);
  r.record(2, 100, 6);
  CHECK(*r.version_read(1, 100) == 5);
  CHECK_FALSE(r.version_read(1, 101));
  r.record(3, 100, 7);
  CHECK_FALSE(r.version_read(1, 100));
  CHECK(*r.version_read(3, 100) == 7);
  CHECK(r.size() == 2);
}

TEST_CASE("kv_store partitions: keys spread evenly over partitions")
{
  std::vector<int> n(8, 0);
  for (uint64_t k = 0; k < 80000; ++k)
    ++n[partition_of(k, 8)];
  for (int c : n)
    CHECK(c == Approx(10000).margin(400));
}
