// The batch_job model: a run's duration grows with the data it reads, shrinks with executors
// until the job's serial parts (the hottest partition, the store's disks) dominate (Amdahl, from
// the job's structure), overlapping runs are skipped or queued, and an executor crash re-runs
// its tasks and lost map outputs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "models/batch_plan.h"
#include "sim/core/popularity.h"
#include "sim_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {
double metric(const nlohmann::json& r, const std::string& c, const std::string& m)
{
  return comp(r, c)["metrics"][m].get<double>();
}

const char* kIdle = R"(
workload:
  idle: {arrivals: constant, rate: 1/s}
)";
}  // namespace

TEST_CASE("a run's duration grows in proportion to the data it reads")
{
  const std::string base = std::string(R"(
archsim: 1
name: batch_size
run: {duration: 100s, warmup: 0s}
components:
  job:  {model: batch_job, at: "0s", input: INPUT, executors: 2, cores_per_executor: 2, partitions: 8, output: 0B}
  noop: {model: service, cpu: 1us}
flows:
  idle: [{call: noop}]
)") + kIdle;
  auto small = simulate(with(base, "INPUT", "2GB"));
  auto large = simulate(with(base, "INPUT", "8GB"));
  double ds = metric(small, "job", "job_duration");
  double dl = metric(large, "job", "job_duration");
  CHECK(metric(large, "job", "runs") == 1);
  CHECK(dl / ds == Approx(4).epsilon(0.08));
  // Bounds from the work itself: 8 GB x (3 ns map + 10% x 3 ns reduce) of CPU over 4 cores, and
  // 8 GB x 1.1 / 1 GB/s of disk over 2 disks; the run takes at least the larger, at most the sum.
  double cpu  = 8e9 * (3e-9 + 0.1 * 3e-9) / 4;
  double disk = 8e9 * 1.1 / 1e9 / 2;
  CHECK(dl >= std::max(cpu, disk));
  CHECK(dl <= cpu + disk);
  CHECK(metric(large, "job", "tasks") == 63 + 8);  // ceil(8 GB / 128 MB) maps, 8 reduces
}

TEST_CASE("more executors shorten a run until its hottest partition dominates (Amdahl)")
{
  // The whole input is shuffled by key; keys follow zipf(1) so one partition gets ~8% of it, and
  // the reduce task that handles it is a straggler no added executor can split.
  const std::string base = std::string(R"(
archsim: 1
name: batch_amdahl
run: {duration: 300s, warmup: 0s}
components:
  job: {model: batch_job, at: "0s", input: 4GB, executors: EXECUTORS, cores_per_executor: 2, partitions: 64,
        shuffle: 100%, keys: words, map_cpu: 1ns, reduce_cpu: 10ns, output: 0B}
  noop: {model: service, cpu: 1us}
data:
  words: {keys: 1M, popularity: zipf(1.0)}
flows:
  idle: [{call: noop}]
)") + kIdle;
  auto duration = [&](int executors) {
    auto r = simulate(with(base, "EXECUTORS", std::to_string(executors)));
    return std::make_pair(metric(r, "job", "job_duration"), metric(r, "job", "reduce_task_max"));
  };
  auto [t1, s1] = duration(1);
  auto [t2, s2] = duration(2);
  auto [t8, s8] = duration(8);
  auto [t32, s32] = duration(32);
  Popularity zipf   = Popularity::zipf(1000000, 1.0);
  auto shares       = partition_shares(&zipf, 64);
  double hot_share  = *std::max_element(shares.begin(), shares.end());
  double hot_reduce = hot_share * 4e9 * 10e-9;  // its CPU alone
  INFO("T(1) " << t1 << " T(2) " << t2 << " T(8) " << t8 << " T(32) " << t32 << " hot reduce " << hot_reduce);
  CHECK(t1 / t2 > 1.75);  // nearly everything scales while the work is spread over few slots
  CHECK(t1 / t2 <= 2.05);
  CHECK(t8 / t32 < 2);                       // 4x the executors, not even 2x faster
  CHECK(t1 / t32 < 10);                      // far from 32x
  // The straggler: the hot partition's reduce task, its CPU plus fetching its blocks from disk.
  double hot_fetch = hot_share * 4e9 / 1e9;   // its blocks through the disks, at least
  CHECK(s32 >= hot_reduce + hot_fetch);
  CHECK(s32 <= (hot_reduce + hot_fetch) * 1.25);
  CHECK(t32 >= s32);
  CHECK(t32 <= s32 + 1.0);  // plus one wave of maps
}

TEST_CASE("a store with few hosts caps the read rate of every run")
{
  // Input read from an object store: its hosts' disks serve one read at a time at 1 GB/s.
  const std::string base = std::string(R"(
archsim: 1
name: batch_source
run: {duration: 100s, warmup: 0s}
components:
  store: {model: object_store, nodes: NODES}
  job:   {model: batch_job, at: "0s", input: 8GB, source: store, executors: 8, cores_per_executor: 4, output: 0B}
  noop:  {model: service, cpu: 1us}
flows:
  idle: [{call: noop}]
)") + kIdle;
  auto one   = simulate(with(base, "NODES", "1"));
  auto eight = simulate(with(base, "NODES", "8"));
  CHECK(metric(one, "job", "map_stage") >= 8.0);  // 8 GB through one 1 GB/s disk
  CHECK(metric(one, "job", "map_stage") <= 8.0 * 1.15);
  CHECK(metric(eight, "job", "map_stage") < metric(one, "job", "map_stage") / 3);
}

TEST_CASE("a run still going at the next due time is skipped or queued")
{
  // One slot, 768 MB: a run takes D of about 3.5 s, more than the 2 s period.
  const std::string base = std::string(R"(
archsim: 1
name: batch_overlap
run: {duration: 20s, warmup: 0s}
components:
  job:   {model: batch_job, every: 2s, input: 768MB, executors: 1, cores_per_executor: 1, partitions: 2,
          overlap: OVERLAP, output: 0B, output_flow: publish}
  cache: {model: service, cpu: 1ms}
  noop:  {model: service, cpu: 1us}
flows:
  idle: [{call: noop}]
  publish: [{call: cache}]
)") + kIdle;
  auto skip  = simulate(with(base, "OVERLAP", "skip"));
  auto queue = simulate(with(base, "OVERLAP", "queue"));
  double d = metric(skip, "job", "job_duration");
  REQUIRE(d > 2);
  REQUIRE(d < 4);
  // Skip: runs at 0, 4, 8, 12, 16; the ones due at 2, 6, 10, 14, 18 are skipped.
  CHECK(metric(skip, "job", "runs") == 5);
  CHECK(metric(skip, "job", "runs_skipped") == 5);
  CHECK(klass(skip, "publish")["latency"]["max"].get<double>() == Approx(d + 0.001).margin(0.01));
  // Queue: back to back from 0; each later run started late. The results of run k (due at 2k)
  // come out at (k+1) D: the lag grows with each run.
  double runs = std::floor(20 / d);
  CHECK(metric(queue, "job", "runs") == runs);
  CHECK(metric(queue, "job", "runs_queued") == std::ceil(20 / d) - 1);
  CHECK(metric(queue, "job", "job_duration") == Approx(d).epsilon(0.01));
  CHECK(klass(queue, "publish")["latency"]["max"].get<double>() ==
        Approx(runs * d - 2 * (runs - 1) + 0.001).margin(0.01));
}

TEST_CASE("an executor crash re-runs its running tasks and the map outputs it held")
{
  const std::string base = std::string(R"(
archsim: 1
name: batch_crash
run: {duration: 100s, warmup: 0s}
components:
  job:  {model: batch_job, at: "0s", input: 4GB, executors: 2, cores_per_executor: 2, partitions: 8, output: 0B}
  noop: {model: service, cpu: 1us}
flows:
  idle: [{call: noop}]
FAULTS)") + kIdle;
  auto healthy = simulate(with(base, "FAULTS", ""));
  auto crashed = simulate(with(base, "FAULTS", "faults:\n  - {at: 2s, crash: job, replica: 1, for: 1s}"));
  double retries = metric(crashed, "job", "task_retries");
  CHECK(metric(crashed, "job", "runs") == 1);
  CHECK(retries > 2);  // the two tasks it was running, and the map outputs it held
  // The lost map outputs had finished once already: each is a task finished twice. The two
  // running tasks never finished on the dead executor: they finish once, elsewhere.
  CHECK(metric(crashed, "job", "tasks") - metric(healthy, "job", "tasks") == retries - 2);
  CHECK(metric(crashed, "job", "job_duration") > metric(healthy, "job", "job_duration"));
}
