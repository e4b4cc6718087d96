#pragma once
// Helpers of the design tests (tests/designs/): each test runs its design's scenario file with
// some variants and `--set` overrides (the smaller cell, lower rates or smaller caches that keep a
// test case within a few seconds, as a user would), and reads figures out of the run results.
#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "sim_helpers.h"

namespace archsim::test {

// --set PATH=VALUE overrides, in order.
using Sets = std::vector<std::pair<std::string, std::string>>;

inline Sets operator+(Sets a, const Sets& b)
{
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// The feed designs' test cell: 100K users under the file's follower law, celebrities from 10K
// followers (0.01%: 10 of them, as the files have 10 from 100K followers in 1M users).
inline const Sets kSmallFollowCell{{"graphs.follows.users", "100K"},
                                   {"data.users.keys", "100K"},
                                   {"graphs.follows.celebrities.threshold", "10K"},
                                   {"graphs.follows.celebrities.share", "0.01%"}};

// Runs scenarios/<design>.yaml with `variants` applied, for `duration` simulated seconds.
inline nlohmann::json run_design(const std::string& design, std::vector<std::string> variants, double duration,
                                 double warmup, Sets sets)
{
  LoadOptions o;
  o.variants = std::move(variants);
  o.duration = duration;
  o.warmup   = warmup;
  o.sets     = std::move(sets);
  return simulate_file(std::string(ARCHSIM_SOURCE_DIR) + "/scenarios/" + design + ".yaml", o);
}

inline bool has_variant(const std::vector<std::string>& variants, const std::string& name)
{
  return std::find(variants.begin(), variants.end(), name) != variants.end();
}

// A component's own metric (hit_ratio, bytes_in, throughput, ...).
inline double metric(const nlohmann::json& r, const std::string& component, const std::string& name)
{
  return comp(r, component)["metrics"][name].get<double>();
}

// How many requests (commands, calls) a component served in the measured window.
inline double commands(const nlohmann::json& r, const std::string& component)
{
  return comp(r, component)["latency"]["count"].get<double>();
}

// Requests of a class that completed without error in the measured window.
inline double ok(const nlohmann::json& r, const std::string& cls) { return klass(r, cls)["ok"].get<double>(); }

// A latency quantile of a class (p50, p99, mean ...), seconds.
inline double latency(const nlohmann::json& r, const std::string& cls, const std::string& q)
{
  return klass(r, cls)["latency"][q].get<double>();
}

// The busiest replica's share of a component's total utilisation (1/replicas when balanced).
inline double hottest_share(const nlohmann::json& r, const std::string& component)
{
  double total = 0, hottest = 0;
  for (const auto& u : comp(r, component)["per_replica"]["utilisation"]) {
    total += u.get<double>();
    hottest = std::max(hottest, u.get<double>());
  }
  return hottest / total;
}

}  // namespace archsim::test
