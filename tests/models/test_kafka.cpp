// The kafka model: what a broker crash loses under acks=1 and acks=all (and what acks=all
// costs), hot keys making hot partitions, batching by linger and by size, fsync against a crash
// of every broker, and acks=all refusing writes while the ISR is too small.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "models/kafka_log.h"
#include "sim_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {

double metric(const nlohmann::json& r, const std::string& name)
{
  return comp(r, "log")["metrics"][name].get<double>();
}

// Three brokers in three racks with 5 ms host links: a follower's fetch round trip takes about
// 20 ms, so acks=1 records the leader has not yet shipped are lost when it dies.
const char* kCrash = R"yaml(
archsim: 1
name: kafka_crash
run: {duration: 2s, warmup: 0.5s}
platform:
  network_model: cm02
  datacenters:
    dc: {racks: 3, host_link: {bandwidth: 10Gbps, latency: 5ms}}
components:
  log: {model: kafka, brokers: 3, partitions: 3, acks: ACKS, linger: 1ms, failover_time: 200ms}
data:
  users: {keys: 100000, value_size: 200B}
workload:
  events: {arrivals: poisson, rate: 4000/s, key: users}
flows:
  events: [{produce: log}]
faults:
  - {at: 1.2s, crash: log, replica: 0, for: 0.5s}
)yaml";

}  // namespace

TEST_CASE("kafka: with acks=1 a leader crash loses acknowledged records, with acks=all none, at a latency cost")
{
  auto one = simulate(with(kCrash, "ACKS", "\"1\""));
  auto all = simulate(with(kCrash, "ACKS", "all"));
  // Broker 0 leads one partition of three: ~1,330 records/s. A follower's fetch cycle is a round
  // trip (2 x 10.2 ms); what the leader appended since the last fetch before its crash was on
  // it alone: on average half a cycle's worth (~14 records), at most a cycle's (~27).
  double lost = metric(one, "records_lost");
  CHECK(lost >= 1);
  CHECK(lost <= 1330 * 0.0204 * 1.2);
  CHECK(metric(all, "records_lost") == 0);
  CHECK(metric(one, "leader_elections") >= 1);
  // Every record was eventually acknowledged in both runs (those caught by the failover waited),
  // bar the ~35 ms more of records still in flight at the end with acks=all.
  CHECK(metric(all, "records") == Approx(metric(one, "records")).epsilon(0.03));
  CHECK(metric(all, "records_failed") == 0);
  // acks=all waits for the end of the follower's fetch cycle in progress (half a round trip on
  // average) and then a whole one: 1.5 x 20.4 ms more.
  double p50_one = klass(one, "events")["latency"]["p50"].get<double>();
  double p50_all = klass(all, "events")["latency"]["p50"].get<double>();
  CHECK(p50_all - p50_one == Approx(1.5 * 20.4e-3).epsilon(0.15));
}

TEST_CASE("kafka: a hot key makes a hot partition and a hot leader broker")
{
  auto r = simulate(R"yaml(
archsim: 1
name: kafka_hot
run: {duration: 3s, warmup: 1s}
components:
  log: {model: kafka, brokers: 3, partitions: 6, replication_factor: 1, min_insync_replicas: 1, linger: 0s,
        request_cpu: 100us}
data:
  ads: {keys: 1000, popularity: "hotset(60%, 0.1%)", value_size: 100B}
workload:
  clicks: {arrivals: poisson, rate: 3000/s, key: ads}
flows:
  clicks: [{produce: log}]
)yaml");
  // Key 0 takes 60% of the records; the other 999 keys share 40% by their partition.
  std::vector<double> share(6, 0);
  share[kafka::partition_for_key(0, 6)] += 0.6;
  for (uint64_t k = 1; k < 1000; ++k)
    share[kafka::partition_for_key(k, 6)] += 0.4 / 999;
  double busiest = *std::max_element(share.begin(), share.end());
  CHECK(metric(r, "partition_imbalance") == Approx(busiest * 6).epsilon(0.05));
  // The hot partition's leader (broker p mod 3) does most of the work.
  size_t hot_broker = kafka::partition_for_key(0, 6) % 3;
  const auto& util  = comp(r, "log")["per_replica"]["utilisation"];
  for (size_t b = 0; b < 3; ++b)
    if (b != hot_broker)
      CHECK(util[hot_broker].get<double>() > 2 * util[b].get<double>());
}

namespace {
const char* kBatching = R"yaml(
archsim: 1
name: kafka_batching
run: {duration: 3s, warmup: 1s}
components:
  log: {model: kafka, brokers: 3, partitions: 6, linger: LINGER, batch_size: BATCH}
data:
  users: {keys: 100000, value_size: 100B}
workload:
  events: {arrivals: poisson, rate: 6000/s, key: users}
flows:
  events: [{produce: log}]
)yaml";

nlohmann::json batching(const std::string& linger, const std::string& batch = "16KiB")
{
  return simulate(with(with(kBatching, "LINGER", linger), "BATCH", batch));
}
}  // namespace

TEST_CASE("kafka batching: linger gathers 1 + rate x linger records per request, cutting broker CPU, adding latency")
{
  auto none = batching("0s");
  auto ten  = batching("10ms");
  // 1,000 records/s per partition: a batch is its first record plus the Poisson arrivals
  // during the linger.
  CHECK(metric(none, "batch_records") == Approx(1).epsilon(0.01));
  CHECK(metric(ten, "batch_records") == Approx(1 + 1000 * 0.010).epsilon(0.05));
  CHECK(metric(ten, "utilisation") < 0.5 * metric(none, "utilisation"));
  // A record waits for the rest of its batch's linger: on average about half of it.
  double extra = klass(ten, "events")["latency"]["mean"].get<double>() -
                 klass(none, "events")["latency"]["mean"].get<double>();
  CHECK(extra > 3e-3);
  CHECK(extra < 10e-3);
}

TEST_CASE("kafka batching: a batch leaves as soon as it holds batch_size bytes")
{
  auto r = batching("1s", "500B");
  CHECK(metric(r, "batch_records") == Approx(5).epsilon(0.01));
  CHECK(klass(r, "events")["latency"]["p99"].get<double>() < 0.1);  // nobody waited for the linger
}

namespace {
const char* kPowerLoss = R"yaml(
archsim: 1
name: kafka_power_loss
run: {duration: 3s, warmup: 0s}
components:
  log: {model: kafka, brokers: 3, partitions: 3, flush: FLUSH}
data:
  users: {keys: 100000, value_size: 100B}
workload:
  events: {arrivals: poisson, rate: 2000/s, key: users}
flows:
  events: [{produce: log}]
faults:
  - {at: 2s, crash: log, for: 0.5s}
)yaml";
}  // namespace

TEST_CASE("kafka relies on replication: only a crash of every broker at once loses what the OS had not flushed")
{
  auto os    = simulate(with(kPowerLoss, "FLUSH", "none"));
  auto fsync = simulate(with(kPowerLoss, "FLUSH", "every_batch"));
  // With writeback after 30 s, every record acknowledged in the 2 s before the crash is gone.
  CHECK(metric(os, "records_lost") == Approx(2000 * 2).epsilon(0.05));
  CHECK(metric(fsync, "records_lost") == 0);
  // The price: an fsync (5.9 ms) on the leader and again on the followers before acks=all.
  double extra = klass(fsync, "events")["latency"]["p50"].get<double>() - klass(os, "events")["latency"]["p50"].get<double>();
  CHECK(extra > 2 * 5.9e-3 - 1e-3);
}

TEST_CASE("kafka: acks=all refuses writes while the ISR is below min_insync_replicas, acks=1 goes on")
{
  const char* yaml = R"yaml(
archsim: 1
name: kafka_isr
run: {duration: 3s, warmup: 0.5s}
components:
  log: {model: kafka, brokers: 3, partitions: 3, acks: ACKS, failover_time: 100ms, delivery_timeout: 500ms}
data:
  users: {keys: 100000, value_size: 100B}
workload:
  events: {arrivals: poisson, rate: 1000/s, key: users}
flows:
  events: [{produce: log}]
faults:
  - {at: 1s, crash: log, replica: 1}
  - {at: 1s, crash: log, replica: 2}
)yaml";
  auto all = simulate(with(yaml, "ACKS", "all"));
  auto one = simulate(with(yaml, "ACKS", "\"1\""));
  // From 1.1 s every partition has broker 0 alone in its ISR: acks=all batches wait and fail
  // after 500 ms, so the records produced from ~1 s to ~2.5 s fail.
  CHECK(metric(all, "not_enough_replicas") > 0);
  CHECK(metric(all, "records_failed") > 1000 * 1.2);
  CHECK(klass(all, "events")["errors_by_kind"]["delivery_timeout"].get<double>() == metric(all, "records_failed"));
  CHECK(metric(one, "records_failed") == 0);
  CHECK(metric(one, "records") == Approx(1000 * 2.5).epsilon(0.05));
}
