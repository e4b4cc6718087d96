// The wide_column model: consistency levels wait for the k-th replica, down replicas make ALL
// unavailable and get hints, and the LSM read path gets slower with SSTables.
#include <catch2/catch.hpp>

#include <string>

#include "sim_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {

double metric(const nlohmann::json& r, const char* name) { return comp(r, "db")["metrics"][name].get<double>(); }
}  // namespace

TEST_CASE("wide_column: QUORUM reads wait for the slower of two replicas, so their p99 exceeds ONE's")
{
  // Replica CPU varies (lognormal), so the 2nd of 2 answers is later than the only one.
  const std::string base = R"(
archsim: 1
name: cl
run: {duration: 6s, warmup: 1s}
platform: {datacenters: {dc: {racks: 3}}, clients: {region: dc, latency: 50us}}
components:
  db: {model: wide_column, nodes: 3, read_cpu: {dist: lognormal, mean: 1ms, p99: 8ms}}
data:
  rows: {keys: 10K, value_size: 500B}
workload:
  read: {arrivals: poisson, rate: 1000/s, key: rows}
flows:
  read: [{get: db, consistency: LEVEL}]
)";
  auto one    = simulate(with(base, "LEVEL", "ONE"));
  auto quorum = simulate(with(base, "LEVEL", "QUORUM"));
  double p99_one    = klass(one, "read")["latency"]["p99"].get<double>();
  double p99_quorum = klass(quorum, "read")["latency"]["p99"].get<double>();
  double p50_one    = klass(one, "read")["latency"]["p50"].get<double>();
  double p50_quorum = klass(quorum, "read")["latency"]["p50"].get<double>();
  CHECK(p99_quorum > 1.15 * p99_one);  // measured 10.9 ms vs 8.6 ms
  CHECK(p50_quorum > p50_one);
  // Twice the replica reads for the same gets.
  CHECK(metric(quorum, "replica_reads") == Approx(2 * metric(one, "replica_reads")).epsilon(0.05));
}

TEST_CASE("wide_column: with a replica down, ALL is unavailable while QUORUM succeeds and stores hints")
{
  const std::string base = R"(
archsim: 1
name: down
run: {duration: 3s, warmup: 0s}
components:
  db: {model: wide_column, nodes: 3, replication_factor: 3, consistency: LEVEL}
faults:
  - {at: 0s, crash: db, replica: 1}
data:
  rows: {keys: 1000}
workload:
  write: {arrivals: poisson, rate: 500/s, key: rows}
flows:
  write: [{put: db}]
)";
  auto all    = simulate(with(base, "LEVEL", "ALL"));
  auto quorum = simulate(with(base, "LEVEL", "QUORUM"));
  const auto& a = klass(all, "write");
  const auto& q = klass(quorum, "write");
  CHECK(a["error_ratio"].get<double>() == 1.0);
  CHECK(a["errors_by_kind"]["unavailable"].get<double>() == metric(all, "unavailable"));
  CHECK(metric(all, "hints_stored") == 0);  // refused before anything is sent
  CHECK(q["error_ratio"].get<double>() == 0.0);
  // RF = nodes = 3: node 1 replicates every key, so every write leaves one hint for it.
  CHECK(metric(quorum, "hints_stored") == Approx(q["ok"].get<double>()).margin(1));
}

TEST_CASE("wide_column: hints stored while a node is down are replayed when it recovers")
{
  auto r = simulate(R"(
archsim: 1
name: handoff
run: {duration: 4s, warmup: 0s}
components:
  db: {model: wide_column, nodes: 3}
faults:
  - {at: 0s, crash: db, replica: 2, for: 2s}
data:
  rows: {keys: 1000}
workload:
  write: {arrivals: poisson, rate: 500/s, key: rows}
flows:
  write: [{put: db, consistency: ALL}]
)");
  double stored = metric(r, "hints_stored");
  // ALL fails while node 2 is down (about 2 s x 500/s) and succeeds after: no hints then.
  CHECK(metric(r, "unavailable") == Approx(1000).epsilon(0.15));
  CHECK(stored == 0);
  auto q = simulate(R"(
archsim: 1
name: handoff
run: {duration: 4s, warmup: 0s}
components:
  db: {model: wide_column, nodes: 3}
faults:
  - {at: 0s, crash: db, replica: 2, for: 2s}
data:
  rows: {keys: 1000}
workload:
  write: {arrivals: poisson, rate: 500/s, key: rows}
flows:
  write: [{put: db, consistency: QUORUM}]
)");
  double hinted = metric(q, "hints_stored");
  CHECK(hinted == Approx(1000).epsilon(0.15));
  CHECK(metric(q, "hints_replayed") == hinted);
}

TEST_CASE("wide_column: with many SSTables reads cost more than writes, and compaction brings reads back down")
{
  // Updates to a small key space and a tiny memtable: every flush writes a version of most
  // partitions, so a read touches one SSTable per flush until compaction merges them.
  const std::string base = R"(
archsim: 1
name: lsm
run: {duration: 6s, warmup: 2s}
components:
  db: {model: wide_column, nodes: 3, memtable_size: 100KB, compaction_threshold: THRESHOLD,
       write_cpu: 100us, read_cpu: 100us}
  absent: {model: service, cpu: 1us}
data:
  rows: {keys: 300, value_size: 200B}
workload:
  write: {arrivals: poisson, rate: 2000/s, key: rows}
  read:  {arrivals: poisson, rate: 500/s, key: rows}
flows:
  write: [{put: db, consistency: ONE}]
  read:  [{get: db, consistency: ONE, on_absent: [{call: absent, steps: []}]}]
)";
  auto piled     = simulate(with(base, "THRESHOLD", "32"));
  auto compacted = simulate(with(base, "THRESHOLD", "4"));
  double amp_piled     = metric(piled, "read_amplification");
  double amp_compacted = metric(compacted, "read_amplification");
  // 2000/s x 200 B x 3 replicas / 3 nodes = 400 KB/s per node: a flush every 0.25 s.
  CHECK(metric(piled, "flushes") > 30);
  CHECK(metric(piled, "compactions") == 0);
  CHECK(metric(compacted, "compactions") > 0);
  CHECK(amp_piled > 2 * amp_compacted);
  CHECK(metric(piled, "sstables_length") > 2 * metric(compacted, "sstables_length"));
  double read_piled  = klass(piled, "read")["latency"]["mean"].get<double>();
  double write_piled = klass(piled, "write")["latency"]["mean"].get<double>();
  // Each SSTable read is a 150 us disk read; the write is CPU plus a commit-log append.
  CHECK(read_piled > write_piled + 0.5 * amp_piled * 150e-6);
  CHECK(read_piled > klass(compacted, "read")["latency"]["mean"].get<double>());
  // After the warm-up every partition has been written: reads find it.
  CHECK(comp(piled, "absent")["metrics"]["throughput"].get<double>() <
        0.01 * klass(piled, "read")["throughput"].get<double>());
}

TEST_CASE("wide_column: a scan's cost grows with the rows it reads")
{
  const std::string base = R"(
archsim: 1
name: scan
run: {duration: 3s, warmup: 1s}
components:
  db: {model: wide_column, nodes: 3, memtable_size: 50KB, compaction_threshold: 32}
data:
  rows: {keys: 100, value_size: 1KB}
workload:
  write: {arrivals: poisson, rate: 500/s, key: rows}
  scan:  {arrivals: poisson, rate: 50/s, key: rows}
flows:
  write: [{put: db}]
  scan:  [{scan: db, rows: ROWS, consistency: ONE}]
)";
  auto few  = simulate(with(base, "ROWS", "10"));
  auto many = simulate(with(base, "ROWS", "1000"));
  double t_few  = klass(few, "scan")["latency"]["mean"].get<double>();
  double t_many = klass(many, "scan")["latency"]["mean"].get<double>();
  // 990 more rows of 1 KB per SSTable read: ~1 ms of sequential disk and ~3 ms of decompression.
  double amp = metric(many, "read_amplification");
  CHECK(amp > 1);
  CHECK(t_many - t_few > 0.5 * amp * 990 * (1e-6 + 3e-6));
}
