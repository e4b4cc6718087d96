// The scheduler model: cron and periodic jobs fire at their due times, missed firings during a
// scheduler crash follow the policy (fire_all, fire_once, skip), failed firings are retried
// until they succeed or run out of attempts, a run lost with its worker fires again after its
// lease (a duplicate if it had succeeded), and reminders wait in the due-time heap.
#include <catch2/catch.hpp>

#include <cmath>

#include "sim_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {
double metric(const nlohmann::json& r, const std::string& c, const std::string& m)
{
  return comp(r, c)["metrics"][m].get<double>();
}

// A workload is required; this one does nothing the scheduler sees.
const char* kIdle = R"(
workload:
  idle: {arrivals: constant, rate: 1/s}
)";
}  // namespace

TEST_CASE("cron and periodic jobs fire at their due times")
{
  auto r = simulate(std::string(R"(
archsim: 1
name: sched_cron
run: {duration: 300s, warmup: 0s}
components:
  sched: {model: scheduler, jobs: "every 10s; */1 * * * *; 0 9 * * 1-5", flow: job}
  work:  {model: service, cpu: 2ms}
  noop:  {model: service, cpu: 1us}
flows:
  idle: [{call: noop}]
  job: [{call: work}]
)") + kIdle);
  // [0, 300 s): every 10 s fires 30 times (0, 10, ..., 290), every minute 5 times (0, 60, ...,
  // 240), weekdays at 9:00 never (time 0 is Monday midnight).
  CHECK(klass(r, "job")["ok"].get<double>() == 35);
  CHECK(metric(r, "sched", "completed") == 35);
  CHECK(metric(r, "sched", "firing_delay_max") < 0.001);
  CHECK(klass(r, "job")["latency"]["p50"].get<double>() == Approx(0.002).epsilon(0.05));
  CHECK(metric(r, "sched", "pending_length") == Approx(3));  // one heap entry per job
}

TEST_CASE("firings missed while the scheduler was down follow the missed policy")
{
  // Every 10 s for 100 s; the scheduler is down from 25 s to 65 s: 30, 40, 50 and 60 are missed.
  const std::string base = std::string(R"(
archsim: 1
name: sched_missed
run: {duration: 100s, warmup: 0s}
components:
  sched: {model: scheduler, jobs: "every 10s", missed: POLICY, flow: job}
  work:  {model: service, cpu: 1ms}
  noop:  {model: service, cpu: 1us}
flows:
  idle: [{call: noop}]
  job: [{call: work}]
faults:
  - {at: 25s, crash: sched, replica: 0, for: 40s}
)") + kIdle;
  auto all  = simulate(with(base, "POLICY", "fire_all"));
  auto once = simulate(with(base, "POLICY", "fire_once"));
  auto skip = simulate(with(base, "POLICY", "skip"));
  // On time: 0, 10, 20, 70, 80, 90.
  CHECK(metric(all, "sched", "completed") == 6 + 4);
  CHECK(metric(all, "sched", "late") == 4);
  CHECK(metric(all, "sched", "missed") == 0);
  CHECK(metric(once, "sched", "completed") == 6 + 1);
  CHECK(metric(once, "sched", "late") == 1);
  CHECK(metric(once, "sched", "missed") == 3);
  CHECK(metric(skip, "sched", "completed") == 6);
  CHECK(metric(skip, "sched", "missed") == 4);
  // A late firing's latency counts from its due time: the one due at 30 s ran at 65 s.
  CHECK(klass(once, "job")["latency"]["max"].get<double>() == Approx(35).epsilon(0.001));
  CHECK(metric(all, "sched", "firing_delay_max") == Approx(35).epsilon(0.001));
}

TEST_CASE("a failed firing is retried with backoff until it succeeds or runs out of attempts")
{
  // Each run fails with probability 1/2; 3 attempts: a firing fails for good with probability
  // 1/8 and runs 1 + 1/2 + 1/4 = 1.75 times on average.
  auto r = simulate(std::string(R"(
archsim: 1
name: sched_retry
run: {duration: 2000s, warmup: 0s}
components:
  sched:  {model: scheduler, jobs: "every 1s", flow: job, max_attempts: 3, backoff: 100ms, workers: 4}
  broken: {model: service}
  noop:   {model: service, cpu: 1us}
flows:
  idle: [{call: noop}]
  job:
    - branch: [{p: 0.5, steps: [{call: broken}]}]
faults:
  - {at: 0s, crash: broken}
)") + kIdle);
  double firings = metric(r, "sched", "completed") + metric(r, "sched", "failed");
  double p       = 0.125;
  CHECK(firings == Approx(2000).margin(2));
  CHECK(metric(r, "sched", "failed") == Approx(firings * p).margin(4 * std::sqrt(firings * p * (1 - p))));
  CHECK(metric(r, "sched", "fired") / firings == Approx(1.75).margin(0.05));
  CHECK(metric(r, "sched", "retries") == Approx(metric(r, "sched", "fired") - firings).margin(2));
  // A retried run's latency counts from the original due time: backoff 100 ms, then 200 ms.
  CHECK(klass(r, "job")["latency"]["max"].get<double>() == Approx(0.3).margin(0.01));
}

TEST_CASE("a run lost with its worker fires again after the lease; a run that had succeeded is a duplicate")
{
  // A 3 s job every 20 s; the worker host dies at 1 s (during the run started at 0 s) for 1 s.
  // The orphaned run still finishes its work at 3 s, but its report is lost; the lease expires
  // at 6 s and the firing runs again (6 s to 9 s).
  auto r = simulate(std::string(R"(
archsim: 1
name: sched_lease
run: {duration: 60s, warmup: 0s}
components:
  sched: {model: scheduler, jobs: "every 20s", flow: job, lease: 5s, workers: 1}
  work:  {model: service, cpu: 3s}
  noop:  {model: service, cpu: 1us}
flows:
  idle: [{call: noop}]
  job: [{call: work}]
faults:
  - {at: 1s, crash: sched, replica: 1, for: 1s}
)") + kIdle);
  CHECK(metric(r, "sched", "refired") == 1);
  CHECK(metric(r, "sched", "duplicates") == 1);
  CHECK(metric(r, "sched", "completed") == 3);  // firings at 0, 20 and 40 s, each done once
  CHECK(klass(r, "job")["ok"].get<double>() == 4);  // the firing due at 0 s ran twice
  CHECK(klass(r, "job")["latency"]["max"].get<double>() == Approx(9).epsilon(0.001));
}

TEST_CASE("reminders wait in the due-time heap and fire at their due time")
{
  // 200 reminders/s due 5 s later: the heap holds 200 x 5 = 1000 (Little's law), and each fires
  // within milliseconds of its due time.
  auto r = simulate(R"(
archsim: 1
name: sched_remind
run: {duration: 20s, warmup: 8s}
components:
  sched: {model: scheduler, flow: remind, workers: 16}
  push:  {model: service, cpu: 1ms}
data:
  tasks: {keys: 1M, popularity: uniform}
workload:
  create: {arrivals: poisson, rate: 200/s, key: tasks}
flows:
  create: [{schedule: sched, delay: 5s}]
  remind: [{call: push}]
)");
  CHECK(metric(r, "sched", "pending_length") == Approx(1000).epsilon(0.05));
  CHECK(klass(r, "remind")["latency"]["p99"].get<double>() < 0.01);
  CHECK(klass(r, "remind")["ok"].get<double>() == Approx(klass(r, "create")["ok"].get<double>()).epsilon(0.05));
}

TEST_CASE("a crash of a volatile scheduler loses its pending reminders; a durable one fires them late")
{
  const std::string base = R"(
archsim: 1
name: sched_volatile
run: {duration: 20s, warmup: 0s}
components:
  sched: {model: scheduler, flow: remind, durable: DURABLE}
  push:  {model: service, cpu: 1ms}
workload:
  create: {arrivals: constant, rate: 100/s}
flows:
  create: [{schedule: sched, delay: 5s}]
  remind: [{call: push}]
faults:
  - {at: 10s, crash: sched, replica: 0, for: 2s}
)";
  auto volatile_ = simulate(with(base, "DURABLE", "false"));
  auto durable   = simulate(with(base, "DURABLE", "true"));
  // At 10 s the heap holds the reminders created in (5 s, 10 s]: 500.
  CHECK(metric(volatile_, "sched", "lost") == Approx(500).margin(2));
  CHECK(metric(durable, "sched", "lost") == 0);
  // Durable: those due during the outage (created in (5 s, 7 s]) fire late at 12 s.
  CHECK(metric(durable, "sched", "late") == Approx(200).margin(2));
  CHECK(klass(durable, "remind")["ok"].get<double>() - klass(volatile_, "remind")["ok"].get<double>() ==
        Approx(500).margin(3));
}
