// The wide_column model's pure logic: token ring placement, LSM bookkeeping (flush, size-tiered
// compaction, Bloom-filtered reads), and the coordinator's consistency decisions.
#include <catch2/catch.hpp>

#include <set>

#include "models/wide_column_coordinator.h"
#include "models/wide_column_lsm.h"
#include "models/wide_column_ring.h"

using namespace archsim;

namespace {
LsmConfig small_lsm(double memtable_bytes, double bloom_fp = 0)
{
  LsmConfig c;
  c.memtable_bytes = memtable_bytes;
  c.bloom_fp       = bloom_fp;
  return c;
}

// Writes keys [0, n) of 100 B each and flushes the memtable into one SSTable.
void write_table(LsmTree& t, uint64_t n)
{
  for (uint64_t k = 0; k < n; ++k)
    t.put(k, 100);
  auto job = t.take_flush();
  REQUIRE(job);
  REQUIRE(t.finish_flush(job->id));
}
}  // namespace

TEST_CASE("token ring: a key's replicas are RF distinct nodes, the same every time")
{
  TokenRing ring(5, 16);
  for (uint64_t key = 0; key < 1000; ++key) {
    auto r = ring.replicas(key, 3);
    REQUIRE(r.size() == 3);
    CHECK(std::set<size_t>(r.begin(), r.end()).size() == 3);
    CHECK(r == ring.replicas(key, 3));
    CHECK(ring.replicas(key, 1).front() == r.front());  // the primary leads
  }
  CHECK(ring.replicas(7, 9).size() == 5);  // RF beyond the node count: every node once
}

TEST_CASE("token ring: vnodes spread primary ownership over the nodes")
{
  TokenRing ring(4, 256);
  std::vector<double> share(4, 0);
  const int keys = 40000;
  for (uint64_t key = 0; key < keys; ++key)
    share[ring.replicas(key, 1).front()] += 1.0 / keys;
  for (double s : share)
    CHECK(s == Approx(0.25).margin(0.05));
}

TEST_CASE("LSM: the memtable flushes to a new SSTable only once it reaches memtable_size")
{
  LsmTree t(small_lsm(1000));
  for (uint64_t k = 0; k < 9; ++k)
    t.put(k, 100);
  CHECK_FALSE(t.take_flush());
  t.put(3, 100);  // an overwrite replaces the row but its memory counts until the flush
  auto job = t.take_flush();
  REQUIRE(job);
  CHECK(job->bytes == Approx(900));  // nine live rows are written
  Rng rng(1);
  CHECK(t.read(5, rng).found);  // still readable while it flushes
  CHECK(t.sstables() == 0);
  CHECK(t.finish_flush(job->id));
  CHECK(t.sstables() == 1);
  CHECK(t.read(5, rng).found);
  CHECK(t.read(5, rng).sstables_read == 1);
  CHECK_FALSE(t.read(50, rng).found);
}

TEST_CASE("LSM: read amplification grows with SSTables and drops after a size-tiered compaction")
{
  LsmTree t(small_lsm(1000));
  Rng rng(1);
  // The same partitions updated across flushes: each table holds a version of every key.
  for (int i = 0; i < 3; ++i)
    write_table(t, 10);
  CHECK(t.read(4, rng).sstables_read == 3);
  CHECK_FALSE(t.pick_compaction());  // 3 < min_threshold 4
  write_table(t, 10);
  CHECK(t.read(4, rng).sstables_read == 4);
  auto job = t.pick_compaction();
  REQUIRE(job);
  CHECK(job->inputs.size() == 4);
  CHECK(job->bytes == Approx(4000));
  CHECK(t.read(4, rng).sstables_read == 4);  // inputs stay readable while they are merged
  REQUIRE(t.finish_compaction(*job));
  CHECK(t.sstables() == 1);
  CHECK(t.tables().front().bytes == Approx(1000));  // ten partitions, one version each
  auto r = t.read(4, rng);
  CHECK(r.found);
  CHECK(r.sstables_read == 1);
}

TEST_CASE("LSM: size tiers keep a big table out of a bucket of small ones")
{
  LsmConfig c        = small_lsm(1000);
  c.min_sstable_size = 0;  // bucket by size only
  LsmTree t(c);
  // One table of 4000 B (forty partitions), then three of 1000 B: two tiers, neither full.
  for (uint64_t k = 0; k < 40; ++k)
    t.put(1000 + k, 100);
  auto f = t.take_flush();
  REQUIRE(f);
  REQUIRE(t.finish_flush(f->id));
  for (int i = 0; i < 3; ++i)
    write_table(t, 10);
  CHECK(t.sstables() == 4);
  CHECK_FALSE(t.pick_compaction());
  write_table(t, 10);  // a fourth small one fills the small tier
  auto job = t.pick_compaction();
  REQUIRE(job);
  CHECK(job->bytes == Approx(4000));  // the four small tables, not the big one
}

TEST_CASE("LSM: Bloom filters let a read skip tables, except for false positives at their rate")
{
  LsmTree t(small_lsm(100, 0.01));
  for (uint64_t i = 0; i < 100; ++i) {  // 100 tables, none holding key 999999
    t.put(i, 100);
    auto f = t.take_flush();
    REQUIRE(f);
    REQUIRE(t.finish_flush(f->id));
  }
  Rng rng(7);
  double total = 0;
  const int reads = 20000;
  for (int i = 0; i < reads; ++i) {
    auto r = t.read(999999, rng);
    CHECK_FALSE(r.found);
    total += static_cast<double>(r.sstables_read);
  }
  // Expected 100 x 1% = 1 table per read; binomial sd of the mean is 0.007.
  CHECK(total / reads == Approx(1.0).margin(0.04));
}

TEST_CASE("LSM: a crash abandons flushes and compactions in progress but loses no data")
{
  LsmTree t(small_lsm(1000));
  for (int i = 0; i < 4; ++i)
    write_table(t, 10);
  auto compaction = t.pick_compaction();
  REQUIRE(compaction);
  for (uint64_t k = 20; k < 30; ++k)
    t.put(k, 100);
  auto flush = t.take_flush();
  REQUIRE(flush);
  t.crash();
  CHECK_FALSE(t.finish_flush(flush->id));
  CHECK_FALSE(t.finish_compaction(*compaction));
  CHECK(t.sstables() == 4);
  Rng rng(1);
  CHECK(t.read(25, rng).found);  // replayed from the commit log into the memtable
  CHECK(t.memtable_bytes() == Approx(1000));
  auto again = t.pick_compaction();  // the inputs are free again
  REQUIRE(again);
  CHECK(t.finish_compaction(*again));
  CHECK(t.sstables() == 1);
}

TEST_CASE("coordinator: ONE, QUORUM and ALL wait for 1, RF/2+1 and RF answers")
{
  CHECK(required_acks(Consistency::One, 3) == 1);
  CHECK(required_acks(Consistency::Quorum, 3) == 2);
  CHECK(required_acks(Consistency::Quorum, 5) == 3);
  CHECK(required_acks(Consistency::Quorum, 4) == 3);
  CHECK(required_acks(Consistency::All, 3) == 3);
  CHECK(parse_consistency("QUORUM") == Consistency::Quorum);
  CHECK_THROWS(parse_consistency("TWO"));
}

TEST_CASE("coordinator: with one replica down, ALL is unavailable while QUORUM writes two and hints one")
{
  std::vector<size_t> replicas{2, 0, 1};
  std::vector<bool> down{true, false, false};  // node 0 is down
  auto all = plan_write(replicas, down, Consistency::All);
  CHECK_FALSE(all.available);
  CHECK(all.hinted.empty());  // refused before anything is sent or hinted
  auto quorum = plan_write(replicas, down, Consistency::Quorum);
  CHECK(quorum.available);
  CHECK(quorum.needed == 2);
  CHECK(quorum.contact == std::vector<size_t>{2, 1});
  CHECK(quorum.hinted == std::vector<size_t>{0});
  CHECK_FALSE(plan_read(replicas, down, Consistency::All, 0).available);
  std::vector<bool> two_down{true, true, false};
  CHECK_FALSE(plan_write(replicas, two_down, Consistency::Quorum).available);
  CHECK(plan_write(replicas, two_down, Consistency::One).available);
}

TEST_CASE("coordinator: a read contacts exactly k live replicas, itself first")
{
  std::vector<size_t> replicas{2, 0, 1};
  std::vector<bool> none(3, false);
  CHECK(plan_read(replicas, none, Consistency::One, 1).contact == std::vector<size_t>{1});
  CHECK(plan_read(replicas, none, Consistency::Quorum, 1).contact == std::vector<size_t>{1, 2});
  CHECK(plan_read(replicas, none, Consistency::Quorum, 4).contact == std::vector<size_t>{2, 0});
  CHECK(plan_read(replicas, none, Consistency::All, 0).contact.size() == 3);
}

TEST_CASE("hint store: hints are kept per down replica and handed over once")
{
  HintStore h;
  h.store(1, {0, 42, 500});
  h.store(1, {2, 43, 500});
  h.store(2, {0, 44, 500});
  CHECK(h.pending(1) == 2);
  auto taken = h.take(1);
  REQUIRE(taken.size() == 2);
  CHECK(taken[1].key == 43);
  CHECK(h.pending(1) == 0);
  CHECK(h.take(1).empty());
  CHECK(h.pending(2) == 1);
}
