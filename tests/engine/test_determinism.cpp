// Same scenario and seed: the same result, byte for byte (but the wall time). A variant that
// changes one component leaves every other component's random draws as they were.
#include <catch2/catch.hpp>

#include "sim_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {
const char* const kTwoClasses = R"(
archsim: 1
name: crn
run: {duration: 20s, warmup: 2s, seed: 7}
components:
  a: {model: service, replicas: 2, threads: 4, cores: 4, cpu: {dist: exponential, mean: 2ms}}
  b: {model: service, replicas: 1, threads: 4, cores: 4, cpu: {dist: exponential, mean: 2ms}}
workload:
  ca: {arrivals: poisson, rate: 1000/s}
  cb: {arrivals: poisson, rate: 500/s}
flows:
  ca: [{call: a}]
  cb: [{call: b}]
variants:
  slow_b:
    description: slower b
    patch: {components: {b: {cpu: {dist: exponential, mean: 4ms}}}}
)";

nlohmann::json without_wall_time(nlohmann::json j)
{
  j.erase("wall_time_s");
  return j;
}
}  // namespace

TEST_CASE("the same seed gives a byte-identical result")
{
  auto first  = without_wall_time(simulate(kTwoClasses));
  auto second = without_wall_time(simulate(kTwoClasses));
  CHECK(first.dump() == second.dump());
}

TEST_CASE("another seed gives another result")
{
  LoadOptions other;
  other.seed = 8;
  auto first  = simulate(kTwoClasses);
  auto second = simulate(kTwoClasses, other);
  CHECK(klass(first, "ca")["latency"]["mean"] != klass(second, "ca")["latency"]["mean"]);
}

TEST_CASE("a variant changing one component keeps the other components' draws (common random numbers)")
{
  LoadOptions slow;
  slow.variants = {"slow_b"};
  auto base    = simulate(kTwoClasses);
  auto variant = simulate(kTwoClasses, slow);
  // Class ca never touches b: its every latency is the same.
  CHECK(klass(base, "ca")["histogram"].dump() == klass(variant, "ca")["histogram"].dump());
  // Class cb is slower, as the variant says.
  CHECK(klass(variant, "cb")["latency"]["mean"].get<double>() > 1.5 * klass(base, "cb")["latency"]["mean"].get<double>());
}
