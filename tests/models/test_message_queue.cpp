// The message_queue model: a consumer crash redelivers what it held unacked (and its in-flight
// message becomes a duplicate), failing messages are dead-lettered after max_deliveries, the
// delay heap holds rate x delay messages (Little's law), persistent publishes share fsyncs, a
// prefetch window of 1 costs a round trip per message, and a broker crash loses only what was
// not durable.
#include <catch2/catch.hpp>

#include <cmath>

#include "sim/core/log_histogram.h"
#include "sim_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {
double metric(const nlohmann::json& r, const std::string& c, const std::string& m)
{
  return comp(r, c)["metrics"][m].get<double>();
}
}  // namespace

TEST_CASE("a consumer crash redelivers its unacked messages; the one it was processing is a duplicate")
{
  // 300 msg/s offered, two consumers of 100 msg/s each: the queue backs up and both windows stay
  // full (20 unacked each). Consumer 0 (replica 1) dies at 2 s for 1 s.
  const std::string base = R"(
archsim: 1
name: mq_crash
run: {duration: 6s, warmup: 1s}
components:
  mq:   {model: message_queue, consumers: 2, prefetch: 20, flow: handle}
  work: {model: service, threads: 64, cores: 64, cpu: 10ms}
workload:
  send: {arrivals: constant, rate: 300/s}
flows:
  send: [{publish: mq}]
  handle: [{call: work}]
FAULTS)";
  auto crashed = simulate(with(base, "FAULTS", "faults:\n  - {at: 2s, crash: mq, replica: 1, for: 1s}"));
  auto healthy = simulate(with(base, "FAULTS", ""));
  CHECK(metric(healthy, "mq", "redelivered") == 0);
  CHECK(metric(healthy, "mq", "duplicates") == 0);
  // Everything it held comes back: its full window.
  CHECK(metric(crashed, "mq", "redelivered") == Approx(20).margin(1));
  // With concurrency 1 it was in the middle of exactly one message, whose flow completed (its
  // side effects happened) but whose ack died with the connection: processed twice.
  CHECK(metric(crashed, "mq", "duplicates") == 1);
  // Nothing is lost: each message is acked once, whatever happened.
  CHECK(metric(crashed, "mq", "acked") == Approx(metric(healthy, "mq", "acked") - 100).margin(25));
  CHECK(klass(crashed, "handle")["errors"].get<double>() == 0);
}

TEST_CASE("after max_deliveries failed deliveries a message lands in the dead-letter queue")
{
  // Every run of the flow fails (its service is down for the whole run): each message is
  // delivered 3 times, nacked 3 times, then dead-lettered and handled by the dead-letter flow.
  auto r = simulate(R"(
archsim: 1
name: mq_dlq
run: {duration: 5s, warmup: 0s}
components:
  mq:     {model: message_queue, consumers: 1, max_deliveries: 3, flow: handle, dead_letter_flow: park}
  broken: {model: service}
  log:    {model: service, cpu: 100us}
workload:
  send: {arrivals: constant, rate: 20/s}
flows:
  send: [{publish: mq}]
  handle: [{call: broken}]
  park: [{call: log}]
faults:
  - {at: 0s, crash: broken}
)");
  double published = metric(r, "mq", "published");
  double dead      = metric(r, "mq", "dead_lettered");
  CHECK(published == Approx(100).margin(1));
  CHECK(dead >= published - 1);  // all but one still in flight at the end
  CHECK(metric(r, "mq", "nacked") == Approx(3 * dead).margin(3));
  CHECK(metric(r, "mq", "redelivered") == Approx(2 * dead).margin(3));
  CHECK(metric(r, "mq", "acked") == 0);
  CHECK(klass(r, "park")["ok"].get<double>() == Approx(dead).margin(1));
  CHECK(klass(r, "handle")["errors_by_kind"]["unavailable"].get<double>() == Approx(3 * dead).margin(3));
}

TEST_CASE("a message failing half its deliveries is dead-lettered with probability 1/2^max_deliveries")
{
  auto r = simulate(R"(
archsim: 1
name: mq_flaky
run: {duration: 10s, warmup: 0s}
components:
  mq:     {model: message_queue, consumers: 2, concurrency: 4, max_deliveries: 3, flow: handle}
  broken: {model: service}
workload:
  send: {arrivals: poisson, rate: 400/s}
flows:
  send: [{publish: mq}]
  handle:
    - branch: [{p: 0.5, steps: [{call: broken}]}]
faults:
  - {at: 0s, crash: broken}
)");
  double n    = metric(r, "mq", "published");
  double dead = metric(r, "mq", "dead_lettered");
  double p    = 0.125;
  CHECK(n > 3500);
  CHECK(dead == Approx(n * p).margin(4 * std::sqrt(n * p * (1 - p))));
  // Deliveries per message: 1 + 1/2 + 1/4 = 1.75 on average.
  CHECK(metric(r, "mq", "delivered") / n == Approx(1.75).margin(0.05));
}

TEST_CASE("delayed messages wait in the delay heap: rate x delay of them on average (Little's law)")
{
  auto r = simulate(R"(
archsim: 1
name: mq_delay
run: {duration: 12s, warmup: 4s}
components:
  mq: {model: message_queue, consumers: 1, flow: remind}
  push: {model: service, cpu: 100us}
workload:
  later: {arrivals: poisson, rate: 200/s}
flows:
  later: [{publish: mq, delay: 2s}]
  remind: [{call: push}]
)");
  CHECK(metric(r, "mq", "delayed_length") == Approx(200 * 2).epsilon(0.08));
  // Delivered at their due time: the flow's latency counts from it and stays small.
  CHECK(klass(r, "remind")["latency"]["p99"].get<double>() < 0.01);
  CHECK(metric(r, "mq", "depth_length") < 1);
}

TEST_CASE("persistent publishes wait for a group-committed fsync; transient ones do not")
{
  const std::string base = R"(
archsim: 1
name: mq_fsync
run: {duration: 5s, warmup: 1s}
components:
  mq: {model: message_queue, consumers: 1, fsync: 5ms}
workload:
  send: {arrivals: poisson, rate: 2000/s}
flows:
  send: [{publish: mq, persistent: PERSIST}]
)";
  auto durable   = simulate(with(base, "PERSIST", "true"));
  auto transient = simulate(with(base, "PERSIST", "false"));
  // One fsync at a time: each covers what arrived during the previous one, 2000/s x 5 ms = 10.
  CHECK(metric(durable, "mq", "messages_per_fsync") == Approx(10).epsilon(0.15));
  CHECK(metric(durable, "mq", "fsyncs") == Approx(4 * 2000 / 10.0).epsilon(0.15));
  double p50 = klass(durable, "send")["latency"]["p50"].get<double>();
  CHECK(p50 > 0.005);  // the rest of the running fsync, then its own
  CHECK(p50 < 0.010);
  CHECK(metric(transient, "mq", "fsyncs") == 0);
  CHECK(klass(transient, "send")["latency"]["p99"].get<double>() < 0.0005);
}

TEST_CASE("a prefetch window of 1 costs a network round trip per message")
{
  // One rack, 1 ms per host link: broker -> consumer is 2 ms, the ack back another 2 ms.
  const std::string base = R"(
archsim: 1
name: mq_prefetch
run: {duration: 6s, warmup: 1s}
platform:
  network_model: cm02
  datacenters:
    dc: {racks: 1, host_link: {bandwidth: 10Gbps, latency: 1ms}}
components:
  mq: {model: message_queue, consumers: 1, prefetch: PREFETCH}
workload:
  send: {arrivals: constant, rate: 1000/s}
flows:
  send: [{publish: mq}]
)";
  auto one  = simulate(with(base, "PREFETCH", "1"));
  auto many = simulate(with(base, "PREFETCH", "200"));
  double measured = 5;
  CHECK(metric(one, "mq", "acked") / measured == Approx(1 / 0.004).epsilon(0.05));
  CHECK(metric(many, "mq", "acked") / measured == Approx(1000).epsilon(0.03));
  CHECK(metric(one, "mq", "depth_length") > 100);  // the backlog grows
  CHECK(metric(one, "mq", "ack_latency") == Approx(0.004).epsilon(0.05));
}

TEST_CASE("a broker crash loses transient messages and keeps persistent ones")
{
  // No consumers: messages pile up; the node dies at 2 s for 0.5 s.
  const std::string base = R"(
archsim: 1
name: mq_broker_crash
run: {duration: 4s, warmup: 0s}
components:
  mq: {model: message_queue, consumers: 0}
workload:
  send: {arrivals: constant, rate: 100/s}
flows:
  send: [{publish: mq, persistent: PERSIST}]
faults:
  - {at: 2s, crash: mq, replica: 0, for: 500ms}
)";
  auto transient = simulate(with(base, "PERSIST", "false"));
  auto durable   = simulate(with(base, "PERSIST", "true"));
  CHECK(metric(transient, "mq", "lost") == Approx(200).margin(1));
  CHECK(metric(durable, "mq", "lost") == 0);
  // Publishes during the outage are refused in both.
  CHECK(klass(transient, "send")["errors_by_kind"]["unavailable"].get<double>() == Approx(50).margin(1));
}

TEST_CASE("higher priority messages overtake a backlog")
{
  // 170 msg/s into a consumer that handles 100/s: the queue stays at max_length (50) and drop-
  // head dead-letters the rest. Urgent messages (20/s, priority 5) go to the head of the queue;
  // without priorities they wait behind the backlog like the others.
  const std::string base = R"(
archsim: 1
name: mq_priority
run: {duration: 7s, warmup: 2s}
components:
  mq:   {model: message_queue, consumers: 1, prefetch: 1, max_priority: LEVELS, max_length: 50, flow: handle}
  work: {model: service, cpu: 10ms}
workload:
  normal: {arrivals: constant, rate: 150/s}
  urgent: {arrivals: constant, rate: 20/s}
flows:
  normal: [{publish: mq}]
  urgent: [{publish: mq, priority: 5}]
  handle: [{call: work}]
)";
  auto prio = simulate(with(base, "LEVELS", "5"));
  auto fifo = simulate(with(base, "LEVELS", "0"));
  auto p10  = [](const nlohmann::json& r) {
    return LogHistogram::from_json(klass(r, "handle")["histogram"]).quantile(0.1);
  };
  // A fifth of the handled messages are urgent: with priorities they wait at most for the
  // message being handled (10 ms) and one urgent ahead; without, everyone crosses the full queue,
  // whose head leaves at 170/s (served or dropped): 50 / 170 = 0.29 s.
  CHECK(p10(prio) < 0.03);
  CHECK(p10(fifo) == Approx(50 / 170.0).epsilon(0.1));
  for (const auto* r : {&prio, &fifo}) {
    CHECK(metric(*r, "mq", "acked") / 5 == Approx(100).epsilon(0.05));
    CHECK(metric(*r, "mq", "dead_lettered") / 5 == Approx(70).epsilon(0.1));
  }
}
