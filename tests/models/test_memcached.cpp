// The memcached model: hit ratio from real slab-allocated memory, slab calcification, worker
// threads, and keys hashed over nodes.
#include <algorithm>
#include <catch2/catch.hpp>

#include "sim_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {

double metric(const nlohmann::json& r, const char* name) { return comp(r, "mc")["metrics"][name].get<double>(); }

// Look-aside: a miss sets the value.
const char* kLookAside = R"yaml(
archsim: 1
name: mc_memory
run: {duration: 3s, warmup: 1.5s}
components:
  mc: {model: memcached, MEMORY}
data:
  items: {keys: 200K, popularity: zipf(0.9), value_size: 200B}
workload:
  read: {arrivals: poisson, rate: 15000/s, key: items}
flows:
  read:
    - get: mc
      on_miss: [{set: mc}]
)yaml";
}  // namespace

TEST_CASE("memcached's hit ratio grows with its memory")
{
  // 200 B values + 56 B overhead go to the 280 B class: 3744 items per 1 MB page.
  auto small = simulate(with(kLookAside, "MEMORY", "memory: 2MiB"));
  auto large = simulate(with(kLookAside, "MEMORY", "memory: 8MiB"));
  CHECK(metric(small, "items") <= 2 * 3744);
  CHECK(metric(large, "items") == Approx(8 * 3744).margin(8));
  double h_small = metric(small, "hit_ratio"), h_large = metric(large, "hit_ratio");
  CHECK(h_large > h_small + 0.1);
  CHECK(h_small == Approx(metric(small, "hits") / (metric(small, "hits") + metric(small, "misses"))));
  // Every miss sets, and a full cache evicts on (almost) every set.
  CHECK(metric(small, "sets") == metric(small, "misses"));
  CHECK(metric(small, "evictions") == Approx(metric(small, "sets")).epsilon(0.01));
}

TEST_CASE("memcached slab calcification: pages held by old small values starve the new large ones")
{
  // 8 pages per node. The calcified cache was warmed with 35,000 small items (156 B with the
  // header: 5957 per page), which took 6 pages; the workload has since moved to 1 KB values,
  // whose class can only get the 2 pages left. A fresh cache gives them all 8.
  const char* yaml = R"yaml(
archsim: 1
name: mc_calcified
run: {duration: 4s, warmup: 2s}
components:
  mc: {model: memcached, memory: 8MiB, WARM}
data:
  old_small: {keys: 35000, value_size: 100B}
  items: {keys: 100K, popularity: zipf(0.9), value_size: 1000B}
workload:
  read: {arrivals: poisson, rate: 10000/s, key: items}
flows:
  read:
    - get: mc
      on_miss: [{set: mc}]
)yaml";
  auto fresh     = simulate(with(yaml, "WARM", "warm: false"));
  auto calcified = simulate(with(yaml, "WARM", "warm: true, warm_from: old_small"));
  CHECK(metric(fresh, "pages_used") == 1.0);
  CHECK(metric(calcified, "pages_used") == 1.0);
  // 1056 B items take 1096 B chunks, 956 per page.
  CHECK(metric(fresh, "items") == Approx(8 * 956).margin(2));
  CHECK(metric(calcified, "items") == Approx(35000 + 2 * 956).margin(2));
  CHECK(metric(calcified, "hit_ratio") < metric(fresh, "hit_ratio") - 0.12);
  CHECK(metric(calcified, "evictions") > metric(fresh, "evictions"));
}

TEST_CASE("memcached throughput per node scales with its worker threads")
{
  const char* yaml = R"yaml(
archsim: 1
name: mc_threads
run: {duration: 3s, warmup: 1s}
components:
  mc: {model: memcached, THREADS, cpu: 1ms}
data:
  items: {keys: 1000, value_size: 100B}
workload:
  read: {arrivals: closed, users: 32, think: {dist: constant, value: 1us}, key: items}
flows:
  read: [{get: mc}]
)yaml";
  auto one  = simulate(with(yaml, "THREADS", "threads: 1"));
  auto four = simulate(with(yaml, "THREADS", "threads: 4"));
  // A saturated node serves threads / cpu commands per second.
  CHECK(metric(one, "throughput") == Approx(1000).epsilon(0.02));
  CHECK(metric(four, "throughput") == Approx(4000).epsilon(0.02));
  CHECK(metric(four, "utilisation") > 0.98);
  CHECK(metric(one, "queue_length") > 25);
}

TEST_CASE("memcached hashes keys over its nodes: a hot key makes a hot node")
{
  const char* yaml = R"yaml(
archsim: 1
name: mc_nodes
run: {duration: 3s, warmup: 1s}
components:
  mc: {model: memcached, nodes: 4, threads: 1, cpu: 100us}
data:
  items: {keys: 100K, popularity: POP, value_size: 100B}
workload:
  read: {arrivals: poisson, rate: 4000/s, key: items}
flows:
  read: [{get: mc}]
)yaml";
  auto spread = simulate(with(yaml, "POP", "uniform"));
  auto hot    = simulate(with(yaml, "POP", "\"hotset(50%, 0.001%)\""));  // one key takes half
  auto util   = [](const nlohmann::json& r) {
    std::vector<double> u;
    for (const auto& x : comp(r, "mc")["per_replica"]["utilisation"])
      u.push_back(x.get<double>());
    return u;
  };
  // 4000/s x 100 us = 0.4 cores in all, 0.1 per node when spread evenly.
  for (double u : util(spread))
    CHECK(u == Approx(0.1).margin(0.02));
  // The hot key's node takes half the load (0.2 cores) on top of its quarter of the rest.
  auto u = util(hot);
  CHECK(*std::max_element(u.begin(), u.end()) == Approx(0.2 + 0.05).margin(0.02));
  CHECK(*std::min_element(u.begin(), u.end()) == Approx(0.05).margin(0.02));
}

TEST_CASE("memcached warm start begins with the most popular keys, and hits more than a cold start")
{
  auto warm = simulate(with(kLookAside, "MEMORY", "memory: 8MiB, warm: true"));
  auto cold = simulate(with(kLookAside, "MEMORY", "memory: 8MiB, warm: false"));
  CHECK(metric(warm, "hit_ratio") > metric(cold, "hit_ratio"));
}
