// The object_store model (S3-like): object bytes over real links, per-prefix rate limits,
// multipart uploads in parallel streams.
#include <catch2/catch.hpp>

#include <string>

#include "sim_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {
double mean_latency(const nlohmann::json& r, const char* c) { return klass(r, c)["latency"]["mean"].get<double>(); }
}  // namespace

TEST_CASE("object_store: a get takes longer by size / bottleneck bandwidth for a larger object")
{
  // The clients' 100 Mb/s access link is the bottleneck (hosts have 10 Gb/s); one get every
  // second, so transfers never overlap; a constant first-byte time.
  const std::string base = R"(
archsim: 1
name: os_size
run: {duration: 10s, warmup: 1s}
platform:
  network_model: cm02
  datacenters:
    dc: {racks: 1}
  clients: {region: dc, latency: 1ms, bandwidth: 100Mbps}
components:
  s3: {model: object_store, nodes: 2, preloaded: true, first_byte: 40ms}
data:
  blobs: {keys: 1000, value_size: SIZE}
workload:
  rd: {arrivals: constant, rate: 1/s, key: blobs}
flows:
  rd: [{get: s3}]
)";
  auto small = simulate(with(base, "SIZE", "1MB"));
  auto large = simulate(with(base, "SIZE", "3MB"));
  double expected = 2e6 / (100e6 / 8);  // 2 MB more over 12.5 MB/s = 0.16 s
  double diff     = mean_latency(large, "rd") - mean_latency(small, "rd");
  CHECK(diff == Approx(expected).epsilon(0.03));
  CHECK(comp(large, "s3")["metrics"]["bytes_out"].get<double>() ==
        Approx(3 * comp(small, "s3")["metrics"]["bytes_out"].get<double>()).epsilon(0.01));
}

TEST_CASE("object_store: a hot prefix beyond 5,500 GET/s gets SlowDown, four prefixes do not")
{
  const std::string base = R"(
archsim: 1
name: os_prefix
run: {duration: 3s, warmup: 1s}
components:
  s3: {model: object_store, nodes: 4, preloaded: true, prefixes: PREFIXES}
data:
  blobs: {keys: 100000, value_size: 1KB}
workload:
  rd: {arrivals: constant, rate: 8000/s, key: blobs}
flows:
  rd: [{get: s3}]
)";
  auto hot    = simulate(with(base, "PREFIXES", "1"));
  auto spread = simulate(with(base, "PREFIXES", "4"));
  // One prefix admits 5,500 of the 8,000 GET/s: 31% refused.
  CHECK(klass(hot, "rd")["error_ratio"].get<double>() == Approx(2500.0 / 8000).margin(0.02));
  CHECK(klass(hot, "rd")["errors_by_kind"]["slow_down"].get<double>() > 0);
  CHECK(comp(hot, "s3")["metrics"]["slow_downs"].get<double>() > 1000);
  // Four prefixes: ~2,000 GET/s each, under the limit.
  CHECK(klass(spread, "rd")["error_ratio"].get<double>() == 0);
}

TEST_CASE("object_store: a multipart upload beats one put when a stream is window-bound")
{
  // 20 ms to the region: one TCP stream is capped at 4 MiB / (2 x 20 ms) ~ 105 MB/s (the
  // window bound of cm02), far below the 10 Gb/s link; 16 parts of 8 MiB in 15 streams share
  // the link instead.
  const std::string base = R"(
archsim: 1
name: os_multipart
run: {duration: 10s, warmup: 0s}
platform:
  network_model: cm02
  datacenters:
    dc: {racks: 1}
  clients: {region: dc, latency: 20ms, bandwidth: 10Gbps}
components:
  s3: {model: object_store, nodes: 4, first_byte: 40ms}
data:
  blobs: {keys: 1000, value_size: 128MB}
workload:
  up: {arrivals: constant, rate: 0.25/s, key: blobs}
flows:
  up: [OP]
)";
  auto single = simulate(with(base, "OP", "{put: s3}"));
  auto multi  = simulate(with(base, "OP", "{multipart: s3, part_size: 8MiB, parallel: 15}"));
  double window_rate = 4194304.0 / (2 * 0.020);
  double single_min  = 128e6 / window_rate;  // ~1.22 s at the window bound
  double t_single    = mean_latency(single, "up");
  double t_multi     = mean_latency(multi, "up");
  CHECK(t_single > single_min);
  CHECK(t_single < single_min * 1.15 + 0.1);
  // Parallel: two rounds of parts (16 parts, 15 streams), each ~8 MiB / 105 MB/s + 40 ms, plus
  // create and complete: well under half of the single put.
  CHECK(t_multi < 0.5 * t_single);
  CHECK(comp(multi, "s3")["metrics"]["parts"].get<double>() == Approx(16 * klass(multi, "up")["ok"].get<double>()));
}
