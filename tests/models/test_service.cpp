// The service model: thread pools queue and reject, blocking calls hold threads.
#include <catch2/catch.hpp>

#include "sim_helpers.h"

using namespace archsim;
using namespace archsim::test;

TEST_CASE("a bounded queue rejects what does not fit, and counts the rejections")
{
  auto r = simulate(R"(
archsim: 1
name: reject
run: {duration: 10s, warmup: 1s}
components:
  app: {model: service, threads: 1, cores: 1, queue_limit: 5, cpu: {dist: exponential, mean: 1ms}}
workload:
  req: {arrivals: poisson, rate: 2000/s}
flows:
  req: [{call: app}]
)");
  const auto& c = klass(r, "req");
  // Offered twice the capacity: about half the requests must be turned away.
  CHECK(c["error_ratio"].get<double>() > 0.4);
  CHECK(c["errors_by_kind"]["rejected"].get<double>() == comp(r, "app")["metrics"]["rejections"].get<double>());
  CHECK(comp(r, "app")["metrics"]["queue_length"].get<double>() <= 5.0);
}

TEST_CASE("a blocking server holds its threads while a slow dependency answers")
{
  const char* base = R"(
archsim: 1
name: hold
run: {duration: 10s, warmup: 1s}
components:
  app:  {model: service, threads: 8, cores: 8, cpu: 100us, hold_thread: HOLD}
  slow: {model: service, threads: 1000, cores: 64, cpu: 20ms}
workload:
  req: {arrivals: poisson, rate: 500/s}
flows:
  req: [{call: app}, {call: slow}]
)";
  auto with = [&](const char* hold) {
    std::string s = base;
    s.replace(s.find("HOLD"), 4, hold);
    return simulate(s);
  };
  auto blocking = with("true");
  auto evented  = with("false");
  // Blocking: 500/s x 20 ms = 10 threads busy on average > 8 threads: the pool saturates and
  // requests queue in front of it. Event loop: threads are free after 100 us of CPU.
  CHECK(comp(blocking, "app")["metrics"]["thread_utilisation"].get<double>() > 0.95);
  CHECK(comp(evented, "app")["metrics"]["thread_utilisation"].get<double>() < 0.02);
  CHECK(klass(blocking, "req")["latency"]["p99"].get<double>() > 5 * klass(evented, "req")["latency"]["p99"].get<double>());
}

TEST_CASE("CPU work beyond the core count is shared, so utilisation never exceeds 100%")
{
  auto r = simulate(R"(
archsim: 1
name: cpu
run: {duration: 10s, warmup: 1s}
components:
  app: {model: service, threads: 64, cores: 2, cpu: {dist: exponential, mean: 1ms}}
workload:
  req: {arrivals: poisson, rate: 1800/s}
flows:
  req: [{call: app}]
)");
  double u = comp(r, "app")["metrics"]["utilisation"].get<double>();
  CHECK(u == Approx(0.9).margin(0.03));  // 1800/s x 1 ms over 2 cores
  CHECK(comp(r, "app")["metrics"]["thread_utilisation"].get<double>() < 0.5);
}
