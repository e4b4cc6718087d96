// The consumer_group model: lag that grows while consumers are slower than producers and drains
// after a scale-out, redelivery from the last commit after a consumer crash (duplicates as the
// commit policy predicts), per-partition order across rebalances, the flow measured end to end,
// and retention overtaking a slow group.
#include <catch2/catch.hpp>

#include <string>

#include "sim_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {

double metric(const nlohmann::json& r, const std::string& c, const std::string& name)
{
  return comp(r, c)["metrics"][name].get<double>();
}

// Mean of a component's level series over windows [from, to) seconds.
double series_mean(const nlohmann::json& r, const std::string& c, const std::string& name, double from, double to)
{
  const auto& t = r["timeseries"]["t"];
  const auto& v = r["timeseries"]["components"][c][name];
  double sum = 0, n = 0;
  for (size_t k = 0; k < t.size(); ++k)
    if (t[k].get<double>() >= from - 1e-9 && t[k].get<double>() < to - 1e-9) {
      sum += v[k].get<double>();
      n += 1;
    }
  return n > 0 ? sum / n : 0;
}

}  // namespace

TEST_CASE("consumer_group: lag grows while consumers are slower than producers and drains after scale-out")
{
  auto r = simulate(R"yaml(
archsim: 1
name: cg_lag
run: {duration: 8s, warmup: 0s, window: 0.5s}
components:
  log: {model: kafka, brokers: 3, partitions: 6}
  readers: {model: consumer_group, source: log, consumers: 1, process_cpu: 1ms, commit_interval: 100ms,
            max_poll_records: 50, scale_to: 3, scale_at: 3s, rebalance_time: 200ms}
data:
  users: {keys: 100000, value_size: 100B}
workload:
  events: {arrivals: poisson, rate: 1500/s, key: users}
flows:
  events: [{produce: log}]
)yaml");
  // One consumer does 1,000 records/s: the lag grows by (production - 1,000)/s, plus on average
  // half a commit interval of records processed but not yet committed (1,000/s x 50 ms). Three
  // consumers do 3,000/s: after the rebalance (nobody consumes for its 200 ms) the lag drains at
  // 1,500/s and is gone by ~4.5 s.
  double produced = metric(r, "log", "records") / 8;
  double early    = series_mean(r, "readers", "lag_length", 1.0, 1.5);
  double peak     = series_mean(r, "readers", "lag_length", 2.5, 3.0);
  CHECK(produced == Approx(1500).epsilon(0.03));
  CHECK(early == Approx((produced - 1000) * 1.25 + 50).epsilon(0.1));
  CHECK(peak == Approx((produced - 1000) * 2.75 + 50).epsilon(0.1));
  // At its peak: the 3 s of growth, the rebalance pause at the full rate, a commit interval.
  CHECK(metric(r, "readers", "max_lag") == Approx((produced - 1000) * 3 + produced * 0.2 + 100).epsilon(0.1));
  double late = series_mean(r, "readers", "lag_length", 6.0, 8.0);
  CHECK(late < 0.15 * peak);
  CHECK(metric(r, "readers", "rebalances") == 1);
  CHECK(metric(r, "readers", "duplicates") == 0);  // a graceful rebalance commits first
}

namespace {
const char* kCrash = R"yaml(
archsim: 1
name: cg_crash
run: {duration: 5s, warmup: 0s}
components:
  log: {model: kafka, brokers: 3, partitions: 6}
  readers: {model: consumer_group, source: log, consumers: 2, process_cpu: 100us, COMMIT,
            session_timeout: 500ms, rebalance_time: 100ms}
data:
  users: {keys: 100000, value_size: 100B}
workload:
  events: {arrivals: poisson, rate: 1000/s, key: users}
flows:
  events: [{produce: log}]
faults:
  - {at: 2.5s, crash: readers, replica: 0}
)yaml";
}  // namespace

TEST_CASE("consumer_group: after a consumer crash its partitions restart from the last commit (duplicates)")
{
  auto interval = simulate(with(kCrash, "COMMIT", "commit: interval, commit_interval: 1s"));
  auto batch    = simulate(with(kCrash, "COMMIT", "commit: after_batch"));
  // Consumer 0 owns half the partitions (500 records/s) and last committed at ~2.0 s: what it
  // processed in the 0.5 s before its crash is processed again by consumer 1.
  CHECK(metric(interval, "readers", "duplicates") == Approx(500 * 0.5).epsilon(0.15));
  // Committing after each (small) batch leaves at most the batch in progress.
  CHECK(metric(batch, "readers", "duplicates") < 10);
  for (const auto* r : {&interval, &batch}) {
    CHECK(metric(*r, "readers", "rebalances") == 1);
    // At least once: every record produced was processed (duplicates aside), bar the lag left.
    double once = metric(*r, "readers", "records_processed") - metric(*r, "readers", "duplicates");
    double lag  = metric(*r, "readers", "lag_end");
    CHECK(once + lag >= metric(*r, "log", "records"));
    CHECK(once <= metric(*r, "log", "records"));
  }
  // While nobody read consumer 0's partitions (2.5 s to 3.1 s) their lag grew.
  CHECK(metric(interval, "readers", "max_lag") > 500 * 0.5);
}

TEST_CASE("consumer_group: per-partition order holds across producers and rebalances, order across partitions does not")
{
  auto r = simulate(R"yaml(
archsim: 1
name: cg_order
run: {duration: 4s, warmup: 0s}
components:
  app: {model: service, replicas: 3, cpu: 200us}
  log: {model: kafka, brokers: 3, partitions: 6, linger: 2ms}
  readers: {model: consumer_group, source: log, consumers: 2, process_cpu: 50us, scale_to: 3, scale_at: 1.5s,
            rebalance_time: 100ms, commit: after_batch}
data:
  users: {keys: 1000, value_size: 100B}
workload:
  events: {arrivals: poisson, rate: 3000/s, key: users}
flows:
  events: [{call: app}, {produce: log}]
)yaml");
  CHECK(metric(r, "readers", "records_processed") > 10000);
  CHECK(metric(r, "readers", "order_violations") == 0);
  CHECK(metric(r, "readers", "produce_order_inversions") > 100);
  CHECK(metric(r, "readers", "rebalances") == 1);
}

TEST_CASE("consumer_group: the flow runs once per record, measured from when the record was produced")
{
  auto r = simulate(R"yaml(
archsim: 1
name: cg_flow
run: {duration: 3s, warmup: 1s}
components:
  log: {model: kafka, brokers: 3, partitions: 3, linger: 5ms}
  readers: {model: consumer_group, source: log, consumers: 1, flow: index}
  search: {model: service, replicas: 1, cpu: {dist: constant, value: 2ms}}
data:
  users: {keys: 1000, value_size: 100B}
workload:
  events: {arrivals: poisson, rate: 200/s, key: users}
flows:
  events: [{produce: log}]
  index: [{call: search}]
)yaml");
  const auto& index = klass(r, "index");
  CHECK(index["throughput"].get<double>() == Approx(200).epsilon(0.1));
  CHECK(index["component"] == "readers");
  // From production: linger (up to 5 ms) and replication, then 2 ms in the search service.
  double p50 = index["latency"]["p50"].get<double>();
  CHECK(p50 > 2e-3);
  CHECK(p50 < 2e-3 + 10e-3);
  CHECK(p50 > klass(r, "events")["latency"]["p50"].get<double>());
}

TEST_CASE("consumer_group: retention deletes what a slow group has not read, every record is read or skipped")
{
  auto r = simulate(R"yaml(
archsim: 1
name: cg_retention
run: {duration: 4s, warmup: 0s}
components:
  log: {model: kafka, brokers: 1, partitions: 2, replication_factor: 1, min_insync_replicas: 1, retention: 500ms}
  readers: {model: consumer_group, source: log, consumers: 1, process_cpu: 1ms, auto_offset_reset: earliest,
            commit: after_batch}
data:
  users: {keys: 100000, value_size: 100B}
workload:
  events: {arrivals: poisson, rate: 2000/s, key: users}
flows:
  events: [{produce: log}]
)yaml");
  double skipped  = metric(r, "readers", "records_skipped");
  double once     = metric(r, "readers", "records_processed") - metric(r, "readers", "duplicates");
  double lag      = metric(r, "readers", "lag_end");
  double produced = metric(r, "log", "records");
  // The consumer reads 1,000 of the 2,000 records/s; retention (segments of 1,024 records
  // deleted 500 ms after their newest record) takes much of what it cannot read.
  CHECK(once == Approx(1000 * 4).epsilon(0.02));
  CHECK(skipped > 1000);
  // Every record is read or skipped at most once, and read, skipped or still in the lag (which
  // counts from the last commit, so it may include some read or skipped since).
  CHECK(once + skipped <= produced);
  CHECK(once + skipped + lag >= produced);
  // Retention keeps about 1.5 segments of 1,024 records per partition.
  CHECK(metric(r, "log", "log_records") < 3 * 1024);
}
