// Load balancer policies choose replicas from real state: counts, active requests, key hashes.
#include <catch2/catch.hpp>

#include "sim_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {
std::string lb_scenario(const std::string& policy, const std::string& popularity = "uniform",
                        const std::string& rate = "2000/s")
{
  return R"(
archsim: 1
name: lb
run: {duration: 20s, warmup: 2s}
components:
  lb:  {model: load_balancer, backend: app, policy: )" + policy + R"(}
  app: {model: service, replicas: 4, threads: 8, cores: 2, cpu: {dist: exponential, mean: 2ms}}
data:
  users: {keys: 1M, popularity: )" + popularity + R"(}
workload:
  req: {arrivals: poisson, rate: )" + rate + R"(, key: users}
flows:
  req: [{call: lb}, {call: app}]
)";
}

double imbalance(const nlohmann::json& r) { return comp(r, "lb")["metrics"]["imbalance"].get<double>(); }
double app_p99(const nlohmann::json& r) { return comp(r, "app")["metrics"]["latency.p99"].get<double>(); }
}  // namespace

TEST_CASE("round robin spreads requests exactly evenly")
{
  CHECK(imbalance(simulate(lb_scenario("round_robin"))) == Approx(1.0).epsilon(0.001));
}

TEST_CASE("consistent hashing sends a hot key to one replica")
{
  // 90% of requests on 0.0001% of the keys (1 key): one replica gets nearly all of them (at
  // 1000/s it still keeps up: 925/s against a capacity of 1000/s).
  double hot     = imbalance(simulate(lb_scenario("consistent_hash", "\"hotset(90%, 0.0001%)\"", "1000/s")));
  double uniform = imbalance(simulate(lb_scenario("consistent_hash", "uniform")));
  CHECK(hot > 3.0);      // 4 replicas: the hot one has > 3x the mean share
  CHECK(uniform < 1.4);  // 100 virtual nodes per replica: a fair split of a uniform key space
}

TEST_CASE("least connections and power of two choices beat random on the tail")
{
  double random = app_p99(simulate(lb_scenario("random")));
  double least  = app_p99(simulate(lb_scenario("least_connections")));
  double two    = app_p99(simulate(lb_scenario("power_of_two")));
  CHECK(least < random);
  CHECK(two < random);
}
