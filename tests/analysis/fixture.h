#pragma once
// A small RunResult ("archsim.run/1", as sim/engine/run_result.cpp writes it) for the analysis
// tests, built in code so that its histograms are real LogHistogram JSON and its percentiles
// agree with them. Three classes (one healthy, one overloaded with drops, one closed-loop class
// that completed nothing), three components, six targets, a six-window time series.
#include <nlohmann/json.hpp>

#include "sim/core/log_histogram.h"

namespace archsim::test {

inline nlohmann::json latency_summary(const LogHistogram& h)
{
  if (h.count() == 0)
    return {{"count", 0}};
  return {{"count", h.count()},     {"mean", h.mean()},          {"p50", h.quantile(0.5)},
          {"p90", h.quantile(0.9)}, {"p99", h.quantile(0.99)},   {"p999", h.quantile(0.999)},
          {"max", h.max()},         {"min", h.min()}};
}

inline nlohmann::json fixture_class(const std::string& name, const std::string& arrivals, double offered,
                                    uint64_t arrived, uint64_t ok, uint64_t errors, uint64_t timeouts,
                                    uint64_t dropped, const LogHistogram& h)
{
  using nlohmann::json;
  uint64_t finished = ok + errors;
  return {{"name", name},
          {"arrivals", arrivals},
          {"offered_rate", offered},
          {"arrived", arrived},
          {"ok", ok},
          {"errors", errors},
          {"timeouts", timeouts},
          {"dropped", dropped},
          {"incomplete", arrived > finished ? arrived - finished : 0},
          {"throughput", static_cast<double>(ok) / 50.0},
          {"error_ratio", finished ? static_cast<double>(errors) / static_cast<double>(finished) : 0.0},
          {"timeout_ratio", finished ? static_cast<double>(timeouts) / static_cast<double>(finished) : 0.0},
          {"latency", latency_summary(h)},
          {"error_latency", {{"count", 0}}},
          {"errors_by_kind", json::object()},
          {"histogram", h.to_json()}};
}

inline nlohmann::json target(const std::string& text, const std::string& subject, bool is_class,
                             const std::string& metric, const std::string& op, double value, const std::string& unit)
{
  return {{"text", text}, {"subject", subject}, {"is_class", is_class}, {"metric", metric},
          {"op", op},     {"value", value},     {"unit", unit}};
}

inline nlohmann::json small_run_result()
{
  using nlohmann::json;
  // redirect: 1000 samples 2ms .. 22ms, so p99 is about 21.8ms.
  LogHistogram redirect;
  for (int i = 0; i < 1000; ++i)
    redirect.add(0.002 + i * 20e-6);
  // create: 400 samples 50ms .. 450ms.
  LogHistogram create;
  for (int i = 0; i < 400; ++i)
    create.add(0.05 + i * 0.001);
  LogHistogram batch;  // a closed class that completed nothing

  json r;
  r["schema"]          = "archsim.run/1";
  r["archsim_version"] = "0.1.0";
  r["simgrid_version"] = "3.32";
  r["scenario"]        = {{"name", "shortener"},
                          {"title", "URL shortener"},
                          {"design", 1},
                          {"file", "scenarios/shortener.yaml"},
                          {"description", "Redirects served from a cache in front of a database."},
                          {"variants", {"cache"}}};
  r["seed"]            = 42;
  r["argv"]            = {"archsim", "run", "scenarios/shortener.yaml", "--variant", "cache", "--seed", "42"};
  r["wall_time_s"]     = 1.234;
  r["run"] = {{"duration", 60.0}, {"warmup", 10.0}, {"window", 1.0}, {"measured", 50.0}, {"network_model", "CM02"}};
  r["classes"] = {fixture_class("redirect", "poisson", 10000, 500000, 498000, 500, 100, 0, redirect),
                  fixture_class("create", "poisson", 100, 5000, 3988, 12, 0, 12, create),
                  fixture_class("batch", "closed", 0, 0, 0, 0, 0, 0, batch)};
  r["components"] = {
      {{"name", "lb"}, {"model", "load_balancer"}, {"replicas", 1},
       {"metrics", {{"utilisation", 0.12}, {"queue_length", 0.0}, {"imbalance", 1.03}, {"throughput", 10100.0},
                    {"latency.mean", 0.0001}, {"latency.p50", 0.0001}, {"latency.p99", 0.0002}, {"latency.max", 0.001}}},
       {"per_replica", {{"utilisation", {0.12}}}}, {"latency", {{"count", 505000}}}},
      {{"name", "app"}, {"model", "service"}, {"replicas", 3},
       {"metrics", {{"utilisation", 0.853}, {"thread_utilisation", 0.9}, {"queue_length", 4.2}, {"rejections", 1234.0},
                    {"retries", 0.0}, {"timeouts", 56.0}, {"throughput", 10080.0}, {"latency.mean", 0.004},
                    {"latency.p50", 0.003}, {"latency.p99", 0.015}, {"latency.max", 0.09}}},
       {"per_replica", {{"utilisation", {0.85, 0.86, 0.849}}}}, {"latency", {{"count", 504000}}}},
      {{"name", "db"}, {"model", "queue_station"}, {"replicas", 1},
       {"metrics", {{"utilisation", 0.4}, {"queue_length", 0.25}, {"rejections", 0.0}, {"throughput", 0.0}}},
       {"per_replica", {{"utilisation", {0.4}}}}, {"latency", {{"count", 0}}}}};
  r["targets"] = {target("redirect.latency.p99 < 50ms", "redirect", true, "latency.p99", "<", 0.05, "duration"),
                  target("redirect.throughput >= 9000/s", "redirect", true, "throughput", ">=", 9000, "rate"),
                  target("redirect.errors <= 0.1%", "redirect", true, "errors", "<=", 0.001, "fraction"),
                  target("app.utilisation < 80%", "app", false, "utilisation", "<", 0.8, "fraction"),
                  target("batch.latency.p99 < 1s", "batch", true, "latency.p99", "<", 1.0, "duration"),
                  target("app.rejections <= 2000", "app", false, "rejections", "<=", 2000, "count")};
  json t = json::array();
  for (int k = 0; k < 6; ++k)
    t.push_back(static_cast<double>(k));
  json null = nullptr;
  r["timeseries"] = {
      {"window", 1.0},
      {"t", t},
      {"classes",
       {{"redirect",
         {{"throughput", {9950.0, 10010.0, 9876.5, 9990.0, 10002.0, 9999.0}},
          {"errors", {10.0, 9.0, 11.0, 10.0, 10.0, 10.0}},
          {"p99", {0.021, 0.0215, 0.022, 0.0218, 0.0217, 0.0219}}}},
        {"create",
         {{"throughput", {0.0, 80.0, 79.0, 81.0, 80.0, 80.0}},
          {"errors", {0.0, 0.0, 1.0, 2.0, 4.0, 5.0}},
          {"p99", {null, 0.3, 0.35, 0.4, 0.42, 0.45}}}}}},
      {"components", {{"app", {{"utilisation", {0.8, 0.85, 0.86, 0.85, 0.85, 0.86}}, {"queue_length", {3.0, 4.0, 4.5, 4.1, 4.3, 4.2}}}}}}};
  r["engine"] = {{"executors_peak", 812}, {"backlog_at_end", 0}};
  return r;
}

}  // namespace archsim::test
