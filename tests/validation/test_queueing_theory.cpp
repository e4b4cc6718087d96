// The proof that the engine is right: queueing models with closed-form answers. Each test runs
// R independent replications (seeds 1..R) of a file in scenarios/validation/ and checks that
// the analytic value lies inside the 95% Student-t confidence interval of the replication
// means. The seeds are fixed, so the tests are deterministic; the interval is the only
// tolerance, and it is not widened.
#include <catch2/catch.hpp>
#include <cmath>

#include "sim/core/statistics.h"
#include "sim_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {
constexpr int kReplications = 10;

std::vector<nlohmann::json> replicate(const std::string& file, double duration = 0)
{
  std::vector<nlohmann::json> out;
  for (int seed = 1; seed <= kReplications; ++seed) {
    LoadOptions o;
    o.seed = seed;
    if (duration > 0)
      o.duration = duration;
    out.push_back(simulate_file(std::string(ARCHSIM_SOURCE_DIR) + "/scenarios/validation/" + file, o));
  }
  return out;
}

MeanCi ci_of(const std::vector<nlohmann::json>& runs, const std::function<double(const nlohmann::json&)>& f)
{
  std::vector<double> xs;
  for (const auto& r : runs)
    xs.push_back(f(r));
  return mean_ci(xs);
}

double class_stat(const nlohmann::json& r, const char* stat) { return r["classes"][0]["latency"][stat].get<double>(); }

void check_inside(const MeanCi& ci, double analytic)
{
  INFO("analytic " << analytic << ", simulated " << ci.mean << " +- " << ci.half_width << " (95% CI, n=" << ci.n
                   << ")");
  CHECK(ci.contains(analytic));
}
}  // namespace

TEST_CASE("M/M/1 at rho 0.5: mean and p99 response time", "[validation]")
{
  auto runs = replicate("mm1_rho05.yaml");
  // W = 1/(mu - lambda) = 1/(1000 - 500); sojourn time is exponential, p99 = W ln 100.
  check_inside(ci_of(runs, [](auto& r) { return class_stat(r, "mean"); }), 1.0 / 500);
  check_inside(ci_of(runs, [](auto& r) { return class_stat(r, "p99"); }), std::log(100.0) / 500);
  check_inside(ci_of(runs, [](auto& r) { return r["components"][0]["metrics"]["utilisation"].template get<double>(); }),
               0.5);
}

TEST_CASE("M/M/1 at rho 0.9: mean and p99 response time, queue length", "[validation]")
{
  auto runs = replicate("mm1_rho09.yaml");
  check_inside(ci_of(runs, [](auto& r) { return class_stat(r, "mean"); }), 1.0 / 100);
  check_inside(ci_of(runs, [](auto& r) { return class_stat(r, "p99"); }), std::log(100.0) / 100);
  // Lq = rho^2 / (1 - rho) = 8.1
  check_inside(ci_of(runs, [](auto& r) { return r["components"][0]["metrics"]["queue_length"].template get<double>(); }),
               8.1);
}

TEST_CASE("M/M/4 at rho 0.8: Erlang C mean response time", "[validation]")
{
  auto runs = replicate("mmc4_rho08.yaml");
  double a = 3.2, c = 4, rho = a / c, sum = 0, term = 1;
  for (int k = 0; k < 4; ++k) {
    sum += term;
    term *= a / (k + 1);
  }
  double tail    = term / (1 - rho);  // a^c / c! / (1 - rho)
  double p_wait  = tail / (sum + tail);
  double wait    = p_wait / (c * 1000 - 3200);
  check_inside(ci_of(runs, [](auto& r) { return class_stat(r, "mean"); }), 1e-3 + wait);
}

TEST_CASE("M/D/1 at rho 0.8: Pollaczek-Khinchine mean response time", "[validation]")
{
  auto runs = replicate("md1_rho08.yaml");
  double rho = 0.8, s = 1e-3;
  check_inside(ci_of(runs, [](auto& r) { return class_stat(r, "mean"); }), s + rho * s / (2 * (1 - rho)));
}

TEST_CASE("two M/M/1 in tandem: Jackson network mean response time", "[validation]")
{
  auto runs = replicate("tandem_mm1.yaml");
  check_inside(ci_of(runs, [](auto& r) { return class_stat(r, "mean"); }), 1.0 / 500 + 1.0 / 1500);
}

TEST_CASE("closed network: mean value analysis and Little's law", "[validation]")
{
  auto runs = replicate("closed_mm1.yaml");
  // Exact MVA for N = 10 users, think Z = 10 ms, one exponential server S = 1 ms.
  double S = 1e-3, Z = 10e-3, q = 0, x = 0, resp = 0;
  for (int n = 1; n <= 10; ++n) {
    resp = S * (1 + q);
    x    = n / (resp + Z);
    q    = x * resp;
  }
  check_inside(ci_of(runs, [](auto& r) { return r["classes"][0]["throughput"].template get<double>(); }), x);
  check_inside(ci_of(runs, [](auto& r) { return class_stat(r, "mean"); }), resp);
  // Little's law on the whole loop: N = X (R + Z), from measured X and R alone.
  check_inside(ci_of(runs,
                     [&](auto& r) {
                       return r["classes"][0]["throughput"].template get<double>() * (class_stat(r, "mean") + Z);
                     }),
               10.0);
}
