// The search_index model: scatter-gather tails grow with the shard count, shard cost grows with
// its documents, refresh makes writes visible half an interval later on average, and indexing
// is bounded by the indexing CPU.
#include <catch2/catch.hpp>

#include <string>

#include "sim_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {
double metric(const nlohmann::json& r, const char* name) { return comp(r, "es")["metrics"][name].get<double>(); }
}  // namespace

TEST_CASE("search_index: a query waits for its slowest shard, so p99 grows with the shard count")
{
  // Equal total documents (10K: the scan part is 10 us), only the per-shard draw varies:
  // lognormal median 1 ms, p99 10 ms. The max of 8 draws has its p99 at the single draw's
  // 0.99^(1/8) = 99.87th percentile: exp(0.99 * 3.02) ms ~ 20 ms, twice the 1-shard p99.
  const std::string base = R"(
archsim: 1
name: fan
run: {duration: 6s, warmup: 1s, seed: 3}
components:
  es: {model: search_index, nodes: 8, shards: SHARDS, replicas: 0, documents: 10K}
workload:
  q: {arrivals: poisson, rate: 300/s}
flows:
  q: [{query: es}]
)";
  auto one   = simulate(with(base, "SHARDS", "1"));
  auto eight = simulate(with(base, "SHARDS", "8"));
  double p1 = klass(one, "q")["latency"]["p99"].get<double>();
  double p8 = klass(eight, "q")["latency"]["p99"].get<double>();
  CHECK(p8 > 1.5 * p1);
  CHECK(metric(eight, "shards_queried") == Approx(8 * metric(one, "shards_queried")).epsilon(0.1));
}

TEST_CASE("search_index: a shard's query cost grows linearly with its documents")
{
  // Constant 1 ms base; 1 ns per document: 10M documents in the one shard add 10 ms.
  const std::string base = R"(
archsim: 1
name: docs
run: {duration: 4s, warmup: 1s}
components:
  es: {model: search_index, nodes: 1, shards: 1, replicas: 0, documents: DOCS, query_cpu: 1ms, scan_cost: 1ns}
workload:
  q: {arrivals: poisson, rate: 20/s}
flows:
  q: [{query: es}]
)";
  auto small = simulate(with(base, "DOCS", "0"));
  auto big   = simulate(with(base, "DOCS", "10M"));
  double d   = klass(big, "q")["latency"]["p50"].get<double>() - klass(small, "q")["latency"]["p50"].get<double>();
  CHECK(d == Approx(0.010).epsilon(0.1));
  CHECK(metric(big, "documents") == Approx(10e6));
}

TEST_CASE("search_index: documents become visible half a refresh interval after indexing on average")
{
  // Poisson writes land uniformly within a refresh interval: mean wait to the next refresh is
  // refresh_interval / 2 = 0.25 s. Each shard refreshes once per interval while it has writes.
  auto r = simulate(R"(
archsim: 1
name: nrt
run: {duration: 5s, warmup: 1s}
components:
  es: {model: search_index, nodes: 2, shards: 2, replicas: 1, refresh_interval: 500ms, documents: 0}
data:
  docs: {keys: 1M, value_size: 1KB}
workload:
  w: {arrivals: poisson, rate: 1000/s, key: docs}
flows:
  w: [{index: es}]
)");
  CHECK(metric(r, "visibility_delay") == Approx(0.25).epsilon(0.05));
  // 4 s after warm-up x 2 refreshes/s x 2 shards.
  CHECK(metric(r, "refreshes") == Approx(16).margin(2));
  CHECK(metric(r, "indexed") == Approx(4000).epsilon(0.1));
}

TEST_CASE("search_index: indexing throughput is bounded by the indexing CPU")
{
  // One node, 2 cores, 1 ms per document: at most 2,000 documents/s however much is offered.
  const std::string base = R"(
archsim: 1
name: ingest
run: {duration: 2s, warmup: 500ms}
components:
  es: {model: search_index, nodes: 1, cores: 2, shards: 1, replicas: 0, index_cpu: 1ms}
data:
  docs: {keys: 1M, value_size: 1KB}
workload:
  w: {arrivals: poisson, rate: RATE, key: docs}
flows:
  w: [{index: es}]
)";
  auto under = simulate(with(base, "RATE", "1000/s"));
  auto over  = simulate(with(base, "RATE", "2400/s"));
  CHECK(metric(under, "utilisation") == Approx(0.5).epsilon(0.1));
  CHECK(metric(over, "utilisation") > 0.97);
  CHECK(metric(over, "indexed") / 1.5 < 2000 * 1.05);
  CHECK(metric(under, "indexed") / 1.5 == Approx(1000).epsilon(0.1));
}
