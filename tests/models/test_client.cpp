// Arrival processes deliver the rates they promise; closed loops obey their population.
#include <catch2/catch.hpp>

#include "sim_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {
nlohmann::json run_arrivals(const std::string& arrivals)
{
  return simulate(R"(
archsim: 1
name: arrivals
run: {duration: 100s, warmup: 0s, window: 1s}
components:
  sink: {model: queue_station, servers: 1000, service: 0s}
workload:
  q: )" + arrivals + R"(
flows:
  q: [{call: sink}]
)");
}
double rate(const nlohmann::json& r) { return klass(r, "q")["throughput"].get<double>(); }
std::vector<double> series(const nlohmann::json& r) { return r["timeseries"]["classes"]["q"]["throughput"]; }
}  // namespace

TEST_CASE("poisson arrivals at 1000/s deliver 1000/s")
{
  // 10^5 arrivals: the standard deviation of the count is 316, 0.3%.
  CHECK(rate(run_arrivals("{arrivals: poisson, rate: 1000/s}")) == Approx(1000).epsilon(0.015));
}

TEST_CASE("constant arrivals are exactly periodic")
{
  auto r = run_arrivals("{arrivals: constant, rate: 100/s}");
  for (double v : series(r))
    CHECK(v == Approx(100).margin(1));
}

TEST_CASE("a step changes the rate at the stated time")
{
  auto s = series(run_arrivals("{arrivals: step, rate: 200/s, at: 50s, to_rate: 1000/s}"));
  double before = 0, after = 0;
  for (size_t k = 5; k < 45; ++k)
    before += s[k] / 40;
  for (size_t k = 55; k < 95; ++k)
    after += s[k] / 40;
  CHECK(before == Approx(200).epsilon(0.05));
  CHECK(after == Approx(1000).epsilon(0.05));
}

TEST_CASE("a spike raises the rate only while it lasts")
{
  auto s = series(run_arrivals("{arrivals: spike, rate: 100/s, at: 40s, for: 20s, to_rate: 2000/s}"));
  double in = 0;
  for (size_t k = 42; k < 58; ++k)
    in += s[k] / 16;
  CHECK(in == Approx(2000).epsilon(0.05));
  CHECK(s[80] < 200);
}

TEST_CASE("bursty on/off arrivals have the long-run mean rate x on/(on+off)")
{
  // Bursts of mean 1 s at 2000/s, pauses of mean 3 s: 500/s on average, with ~25 cycles in
  // 100 s the long-run mean is known to about +-20%.
  auto r = run_arrivals("{arrivals: bursty, rate: 2000/s, on: 1s, off: 3s}");
  CHECK(rate(r) == Approx(500).epsilon(0.35));
  auto s = series(r);
  CHECK(*std::max_element(s.begin(), s.end()) > 1000);
  CHECK(*std::min_element(s.begin(), s.end()) < 100);
}

TEST_CASE("diurnal arrivals swing around the mean rate")
{
  auto s = series(run_arrivals("{arrivals: diurnal, rate: 1000/s, amplitude: 50%, period: 100s}"));
  // Peak near t = 25 s (1500/s), trough near t = 75 s (500/s).
  CHECK(s[25] == Approx(1500).epsilon(0.15));
  CHECK(s[75] == Approx(500).epsilon(0.2));
}

TEST_CASE("a closed loop's throughput follows from users and think time")
{
  auto r = run_arrivals("{arrivals: closed, users: 50, think: {dist: constant, value: 100ms}}");
  // Zero service time: each user sends one request every 100 ms.
  CHECK(rate(r) == Approx(500).epsilon(0.01));
}
