#include "sim/engine/run_result.h"

#include <algorithm>
#include <cmath>
#include <simgrid/s4u.hpp>
#include <simgrid/version.h>

#include "archsim/version.h"
#include "models/arrivals.h"
#include "sim/engine/runtime.h"

namespace archsim {

using nlohmann::json;

namespace {

json latency_json(const LogHistogram& h)
{
  if (h.count() == 0)
    return json{{"count", 0}};
  return json{{"count", h.count()},        {"mean", h.mean()},          {"p50", h.quantile(0.5)},
              {"p90", h.quantile(0.9)},    {"p99", h.quantile(0.99)},   {"p999", h.quantile(0.999)},
              {"max", h.max()},            {"min", h.min()}};
}

// The scenario's offered load, averaged over the measured period (time-varying classes too).
double mean_offered_rate(const ParamValues& p, double from, double to)
{
  if (p.text("arrivals") == "closed" || to <= from)
    return 0;
  const int steps = 1000;
  double sum      = 0;
  for (int k = 0; k < steps; ++k)
    sum += offered_rate(p, from + (to - from) * (k + 0.5) / steps);
  return sum / steps;
}

// `arrivals`: the client's arrival process, or "component" for a flow a component runs.
json class_json(const ClassMetrics& m, const std::string& arrivals, double measured)
{
  json j;
  j["name"]         = m.name;
  j["arrivals"]     = arrivals;
  j["arrived"]      = m.arrived;
  j["ok"]           = m.ok;
  j["errors"]       = m.errors;
  j["timeouts"]     = m.timeouts;
  j["dropped"]      = m.dropped;
  uint64_t finished = m.ok + m.errors;
  j["incomplete"]   = m.arrived > finished ? m.arrived - finished : 0;
  j["throughput"]   = measured > 0 ? static_cast<double>(m.completed_in_window) / measured : 0;
  double denom      = static_cast<double>(std::max<uint64_t>(finished, 1));
  j["error_ratio"]  = finished ? static_cast<double>(m.errors) / denom : 0;
  j["timeout_ratio"] = finished ? static_cast<double>(m.timeouts) / denom : 0;
  j["latency"]       = latency_json(m.latency);
  j["error_latency"] = latency_json(m.error_latency);
  j["errors_by_kind"] = m.errors_by_kind;
  j["histogram"]      = m.latency.to_json();
  return j;
}

double level_mean(const ComponentMetrics::Level& l, double end, bool sum_replicas)
{
  double total = 0;
  for (const auto& r : l.per_replica)
    total += r.mean_after_warmup(end);
  if (sum_replicas || l.per_replica.empty())
    return total;
  return total / static_cast<double>(l.per_replica.size());
}

json component_json(const ComponentMetrics& m, const ModelSpec& spec, const MetricClock& clock, double measured)
{
  json metrics = json::object();
  json per_replica = json::object();
  for (const auto& [name, level] : m.levels()) {
    if (level.capacity > 0) {
      std::string metric = name == "cpu" ? "utilisation" : name == "threads" ? "thread_utilisation" : name + "_utilisation";
      metrics[metric]    = level_mean(level, clock.end, false) / level.capacity;
      json reps          = json::array();
      for (const auto& r : level.per_replica)
        reps.push_back(r.mean_after_warmup(clock.end) / level.capacity);
      per_replica[metric] = reps;
    } else {
      metrics[name + "_length"] = level_mean(level, clock.end, true);
    }
  }
  for (const auto& ms : spec.metrics)
    if (!metrics.contains(ms.name) && ms.unit == Unit::Count)
      metrics[ms.name] = 0.0;
  for (const auto& [name, v] : m.counters())
    metrics[name] = v;
  for (const auto& [name, v] : m.values())
    metrics[name] = v;
  const LogHistogram& h = m.residence_histogram();
  metrics["throughput"] = measured > 0 ? static_cast<double>(h.count()) / measured : 0;
  if (h.count() > 0) {
    metrics["latency.mean"] = h.mean();
    metrics["latency.p50"]  = h.quantile(0.5);
    metrics["latency.p99"]  = h.quantile(0.99);
    metrics["latency.max"]  = h.max();
  }
  json units = json::object();
  for (const auto& ms : spec.metrics)
    units[ms.name] = unit_name(ms.unit);
  return json{{"name", m.name()}, {"model", m.model()}, {"replicas", m.replicas()}, {"metrics", metrics},
              {"units", units},
              {"per_replica", per_replica}, {"latency", latency_json(h)}};
}

json timeseries_json(const MetricsRegistry& reg)
{
  const MetricClock& clock = reg.clock;
  auto windows             = static_cast<size_t>(std::ceil(clock.end / clock.window - 1e-9));
  json t                   = json::array();
  for (size_t k = 0; k < windows; ++k)
    t.push_back(static_cast<double>(k) * clock.window);
  json classes = json::object();
  for (const auto& c : reg.classes) {
    json thr = json::array(), err = json::array(), p99 = json::array();
    for (size_t k = 0; k < windows; ++k) {
      bool has     = k < c->series.ok.size();
      uint64_t ok  = has ? c->series.ok[k] : 0;
      uint64_t bad = has ? c->series.errors[k] : 0;
      double len   = std::min(clock.window, clock.end - static_cast<double>(k) * clock.window);
      thr.push_back(static_cast<double>(ok) / len);
      err.push_back(static_cast<double>(bad) / len);
      p99.push_back(has && c->series.latency[k].count() ? json(c->series.latency[k].quantile(0.99)) : json(nullptr));
    }
    classes[c->name] = {{"throughput", thr}, {"errors", err}, {"p99", p99}};
  }
  json comps = json::object();
  for (const auto& m : reg.components) {
    json series = json::object();
    for (const auto& [name, level] : m->levels()) {
      std::vector<double> sum(windows, 0.0);
      for (const auto& r : level.per_replica) {
        auto w = r.window_means(clock.end);
        for (size_t k = 0; k < windows && k < w.size(); ++k)
          sum[k] += w[k];
      }
      if (level.capacity > 0) {
        for (auto& v : sum)
          v /= level.capacity * static_cast<double>(level.per_replica.size());
        series[name == "cpu" ? "utilisation" : name == "threads" ? "thread_utilisation" : name + "_utilisation"] = sum;
      } else {
        series[name + "_length"] = sum;
      }
    }
    comps[m->name()] = series;
  }
  return json{{"window", clock.window}, {"t", t}, {"classes", classes}, {"components", comps}};
}

}  // namespace

json build_run_result(Runtime& rt, const ModelCatalog& catalog, const RunMeta& meta)
{
  const Scenario& sc   = rt.scenario();
  MetricsRegistry& reg = rt.metrics();
  double measured      = sc.run.duration - sc.run.warmup;
  json j;
  j["schema"]          = kRunResultSchema;
  j["archsim_version"] = ARCHSIM_VERSION;
  j["simgrid_version"] = std::to_string(SIMGRID_VERSION_MAJOR) + "." + std::to_string(SIMGRID_VERSION_MINOR);
  j["scenario"] = {{"name", sc.name},       {"title", sc.title},  {"design", sc.design},
                   {"file", sc.file},       {"description", sc.description},
                   {"variants", sc.variants_applied}};
  j["seed"]        = sc.run.seed;
  j["argv"]        = meta.argv;
  j["wall_time_s"] = meta.wall_time_s;
  j["run"] = {{"duration", sc.run.duration}, {"warmup", sc.run.warmup},           {"window", sc.run.window},
              {"measured", measured},        {"network_model", sc.platform.network_model},
              {"simulated_until", Runtime::now()}};
  if (const SmallMessagePath* sm = rt.small_messages()) {
    auto u          = sm->usage(Runtime::now());
    j["run"]["small_messages"] = {{"threshold_bytes", sc.platform.small_message}, {"messages", u.messages},
                                  {"bytes", u.bytes}, {"sent_as_flows", u.as_flows},
                                  {"busiest_link", u.busiest_link},
                                  {"busiest_link_share", u.busiest_share}};
  }
  json classes = json::array();
  for (size_t i = 0; i < reg.classes.size(); ++i) {
    if (i < sc.workload.size()) {
      json c            = class_json(*reg.classes[i], sc.workload[i].params.text("arrivals"), measured);
      c["offered_rate"] = mean_offered_rate(sc.workload[i].params, sc.run.warmup, sc.run.duration);
      classes.push_back(c);
      continue;
    }
    // A component's flow: what was offered is what arrived (work the component started).
    const ComponentFlowSpec& f = sc.component_flows.at(i - sc.workload.size());
    json c            = class_json(*reg.classes[i], "component", measured);
    c["component"]    = f.component;
    c["offered_rate"] = measured > 0 ? static_cast<double>(reg.classes[i]->arrived) / measured : 0;
    classes.push_back(c);
  }
  j["classes"] = classes;
  // In the scenario's order (components are created in dependency order, which readers do
  // not care about).
  json comps = json::array();
  for (const auto& spec : sc.components)
    for (const auto& m : reg.components)
      if (m->name() == spec.name)
        comps.push_back(component_json(*m, *catalog.find(m->model()), reg.clock, measured));
  j["components"] = comps;
  json targets    = json::array();
  for (const auto& t : sc.targets)
    targets.push_back({{"text", t.text}, {"subject", t.subject}, {"is_class", t.subject_is_class},
                       {"metric", t.metric}, {"op", t.op}, {"value", t.value}, {"unit", unit_name(t.unit)}});
  j["targets"]    = targets;
  json faults     = json::array();
  for (size_t i = 0; i < sc.faults.size(); ++i) {
    const FaultSpec& f   = sc.faults[i];
    const FaultRecord& r = reg.faults.at(i);
    static const char* const kKinds[] = {"crash", "pause", "slow_cpu", "slow_disk", "fail", "partition", "degrade"};
    faults.push_back({{"text", f.text},        {"kind", kKinds[static_cast<int>(f.kind)]}, {"component", f.component},
                      {"replicas", f.replicas}, {"at", f.at},              {"duration", f.duration},
                      {"began", r.began},       {"ended", r.ended},        {"happened", r.began >= 0}});
  }
  j["faults"]     = faults;
  j["timeseries"] = timeseries_json(reg);
  j["engine"]     = {{"executors_peak", rt.pool().peak_actors()}, {"backlog_at_end", rt.pool().backlog()}};
  return j;
}

}  // namespace archsim
