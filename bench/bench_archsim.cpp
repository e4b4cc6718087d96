// Benchmarks of archsim's engine: simulated requests per wall second and peak memory for
// (a) an M/M/1 station (rho 0.9, ideal network) and (b) a client -> load balancer -> 4 services
// -> 1 database chain over simulated links, and (c) a look-aside cache path (LB -> service ->
// redis -> kv_store on a miss) with 10^6 or 10^8 keys. Compare (a) with bench_bare_simgrid, the same queue
// written directly on SimGrid: the ratio is archsim's own overhead. Prints one JSON line.
//
//   bench_archsim --case mm1|chain|cache_aside [--requests N] [--keys 1M|100M] [--set PATH=VALUE ...]
//                 [--cfg=SIMGRID_OPTION ...]
// --set changes the case's scenario as `archsim run --set` does (e.g. platform.small_message=0B).
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>
#include <iostream>
#include <sys/resource.h>

#include "models/registry.h"
#include "sim/engine/run_driver.h"

using namespace archsim;

namespace {
const char* const kMm1 = R"(
archsim: 1
name: bench_mm1
run: {duration: DURATION, warmup: 0s}
components:
  station: {model: queue_station, servers: 1, service: {dist: exponential, mean: 1ms}}
workload:
  jobs: {arrivals: poisson, rate: 900/s}
flows:
  jobs: [{call: station}]
)";

const char* const kChain = R"(
archsim: 1
name: bench_chain
run: {duration: DURATION, warmup: 0s}
platform:
  datacenters: {dc: {racks: 2}}
  clients: {region: dc, latency: 1ms, bandwidth: 10Gbps}
components:
  lb:  {model: load_balancer, backend: app, policy: round_robin, cores: 8}
  app: {model: service, replicas: 4, threads: 64, cores: 8, cpu: {dist: exponential, mean: 1ms}}
  db:  {model: service, replicas: 1, threads: 64, cores: 16, cpu: {dist: exponential, mean: 500us}}
workload:
  req: {arrivals: poisson, rate: 10000/s}
flows:
  req: [{call: lb}, {call: app}, {call: db}]
)";
// Issue 3's read path: look-aside cache in front of a DynamoDB-like store; memory must not
// grow with the key count (KEYS is 1M or 100M).
const char* const kCacheAside = R"(
archsim: 1
name: bench_cache_aside
run: {duration: DURATION, warmup: 0s}
platform:
  datacenters: {dc: {racks: 2}}
  clients: {region: dc, latency: 1ms, bandwidth: 10Gbps}
components:
  lb:    {model: load_balancer, backend: app, policy: round_robin, cores: 8}
  app:   {model: service, replicas: 4, threads: 64, cores: 8, cpu: {dist: exponential, mean: 300us}}
  cache: {model: redis, shards: 3, maxmemory: 100MB, warm_from: items}
  db:    {model: kv_store, partitions: 8}
data:
  items: {keys: KEYS, popularity: zipf(0.99), value_size: 500B}
workload:
  req: {arrivals: poisson, rate: 10000/s, key: items}
flows:
  req:
    - call: lb
    - call: app
    - get: cache
      on_miss: [{get: db}, {set: cache}]
)";
}  // namespace

int main(int argc, char** argv)
{
  std::string which = "mm1";
  double requests   = 1e5;
  std::string keys  = "1M";
  EngineOptions options;
  LoadOptions load;
  for (int i = 1; i < argc; ++i) {
    if (!std::strncmp(argv[i], "--cfg=", 6) || !std::strncmp(argv[i], "--log=", 6))
      options.simgrid_args.emplace_back(argv[i]);
    else if (!std::strcmp(argv[i], "--case") && i + 1 < argc)
      which = argv[++i];
    else if (!std::strcmp(argv[i], "--requests") && i + 1 < argc)
      requests = std::atof(argv[++i]);
    else if (!std::strcmp(argv[i], "--keys") && i + 1 < argc)
      keys = argv[++i];
    else if (!std::strcmp(argv[i], "--set") && i + 1 < argc) {
      std::string kv = argv[++i];
      size_t eq      = kv.find('=');
      if (eq == std::string::npos) {
        std::cerr << "--set wants PATH=VALUE, got '" << kv << "'\n";
        return 2;
      }
      load.sets.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    }
  }
  double rate      = which == "mm1" ? 900 : 10000;
  std::string text = which == "mm1" ? kMm1 : which == "chain" ? kChain : kCacheAside;
  if (which == "cache_aside") {
    rate = 10000;
    text.replace(text.find("KEYS"), 4, keys);
  }
  text.replace(text.find("DURATION"), 8, fmt::format("{}s", requests / rate));
  Diagnostics diags;
  auto sc = load_scenario_text(text, which, model_catalog(), load, diags);
  if (!sc) {
    std::cerr << diags.str();
    return 2;
  }
  auto result = run_simulation(*sc, options);
  double done = 0;
  for (const auto& c : result["classes"])
    done += c["ok"].get<double>();
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  double wall = result["wall_time_s"].get<double>();
  fmt::print("{{\"bench\":\"archsim_{}\",\"requests\":{},\"wall_s\":{:.3f},\"sim_req_per_wall_s\":{:.0f},"
             "\"mean_latency_s\":{:.6g},\"executors_peak\":{},\"peak_rss_mb\":{:.1f}}}\n",
             which, done, wall, done / wall, result["classes"][0]["latency"]["mean"].get<double>(),
             result["engine"]["executors_peak"].get<size_t>(), ru.ru_maxrss / 1024.0);
  return 0;
}
