// The push provider: quotas as token buckets (per sender and per device), failures, and the
// WAN to a provider in its own datacenter.
#include <catch2/catch.hpp>

#include "sim_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {
double metric(const nlohmann::json& r, const std::string& c, const std::string& m)
{
  return comp(r, c)["metrics"][m].get<double>();
}
}  // namespace

TEST_CASE("a push provider throttles what its sender quota does not admit")
{
  auto r = simulate(R"(
archsim: 1
name: quota
run: {duration: 6s, warmup: 1s}
components:
  apns: {model: push_service, rate_limit: 100/s, burst: 100, per_key_rate: 0/s, failure_rate: 0, latency: 10ms}
data:
  devices: {keys: 1M}
workload:
  notify: {arrivals: constant, rate: 200/s, key: devices}
flows:
  notify: [{send: apns}]
)");
  // The burst went in the warm-up: afterwards 100/s of the 200/s get through.
  CHECK(metric(r, "apns", "throttled") == Approx(500).margin(3));
  CHECK(metric(r, "apns", "delivered") == Approx(500).margin(3));
  CHECK(klass(r, "notify")["errors_by_kind"]["throttled"].get<double>() == metric(r, "apns", "throttled"));
}

TEST_CASE("a push provider limits each device on its own")
{
  auto r = simulate(R"(
archsim: 1
name: per_device
run: {duration: 6s, warmup: 1s}
components:
  fcm: {model: push_service, rate_limit: 0/s, per_key_rate: 1/s, per_key_burst: 1, failure_rate: 0, latency: 10ms}
data:
  devices: {keys: 10}
workload:
  notify: {arrivals: poisson, rate: 100/s, key: devices}
flows:
  notify: [{send: fcm}]
)");
  // 10 devices, each admitted at the first send after its bucket has a token again: a cycle of
  // 1 s + 0.1 s (the mean wait for its next send at 10/s): 10 x 5 s / 1.1 s.
  CHECK(metric(r, "fcm", "delivered") == Approx(10 * 5 / 1.1).margin(4));
  CHECK(metric(r, "fcm", "throttled_per_key") == metric(r, "fcm", "throttled"));
  CHECK(metric(r, "fcm", "throttled") ==
        Approx(metric(r, "fcm", "requests") - metric(r, "fcm", "delivered")).margin(2));
}

TEST_CASE("push failures happen at their rate, and the caller's retries hide them")
{
  const char* base = R"(
archsim: 1
name: failures
run: {duration: 6s, warmup: 1s}
components:
  fcm: {model: push_service, rate_limit: 0/s, per_key_rate: 0/s, failure_rate: 2%, latency: 5ms}
data:
  devices: {keys: 1M}
workload:
  notify: {arrivals: constant, rate: 2000/s, key: devices}
flows:
  notify: [{send: fcm RETRY}]
)";
  auto once  = simulate(with(base, "RETRY", ""));
  auto retry = simulate(with(base, "RETRY", ", retries: 2"));
  // 10,000 sends x 2%: 200, give or take 3 standard deviations (14 each).
  CHECK(klass(once, "notify")["errors_by_kind"]["failed"].get<double>() == Approx(200).margin(42));
  CHECK(klass(retry, "notify")["errors"].get<double>() <= 3);  // 10,000 x 0.02^3 = 0.08 expected
  CHECK(metric(retry, "fcm", "retries") == Approx(204).margin(45));
}

TEST_CASE("a push provider in its own datacenter costs a WAN round trip per send")
{
  const char* base = R"(
archsim: 1
name: wan
run: {duration: 4s, warmup: 1s}
platform:
  datacenters: {us: {racks: 1}, apple: {racks: 1}}
  wan: {latency: 35ms}
  clients: {region: us, latency: 1ms}
components:
  app: {model: service, cpu: 100us}
  apns: {model: push_service, DC latency: 20ms, failure_rate: 0, delivery_latency: 500ms}
data:
  devices: {keys: 1M}
workload:
  notify: {arrivals: constant, rate: 50/s, key: devices}
flows:
  notify: [{call: app}, {send: apns}]
)";
  auto near = simulate(with(base, "DC", ""));
  auto far  = simulate(with(base, "DC", "datacenter: apple,"));
  double d  = klass(far, "notify")["latency"]["mean"].get<double>() - klass(near, "notify")["latency"]["mean"].get<double>();
  // Across the WAN: 35 ms each way, plus the extra rack hops of the other datacenter.
  CHECK(d == Approx(0.070).margin(0.001));
  // Time to the device: the send's way to the provider and its answer time, then 500 ms.
  double to_device = metric(far, "apns", "delivery.mean");
  CHECK(to_device > 0.5 + 0.020 + 0.035);
  CHECK(to_device < 0.5 + klass(far, "notify")["latency"]["mean"].get<double>() - 0.035);
}
