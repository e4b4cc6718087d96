#pragma once
// What `archsim sweep` concludes: per point of the grid and request class, the offered load,
// the throughput, the p99 and the error ratio (means over replications, with 95% intervals),
// the busiest component replica, and the knee: the first point where a class carries less than
// 95% of its offered load, or misses its p99 target, said in one sentence with the bottleneck.
// Pure: reads RunResult JSON only.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "analysis/experiment_plan.h"
#include "analysis/report_content.h"
#include "sim/core/statistics.h"

namespace archsim {

constexpr double kKneeThroughputShare = 0.95;

struct SweepClassPoint {
  std::string name;
  std::optional<double> offered;
  std::optional<MeanCi> throughput, p99, errors;
  std::optional<MeanCi> p50;         // for the report's latency plot
  std::optional<double> p99_target;  // the bound of a `NAME.latency.p99 <` target, if any
  bool carried = true;               // throughput >= 95% of offered
  bool p99_met = true;
};

struct Busiest {
  std::string component;
  size_t replica     = 0;
  double utilisation = 0;  // mean over replications
};

struct SweepPoint {
  std::string label;
  std::vector<double> values;  // one per axis
  std::vector<SweepClassPoint> classes;
  std::optional<Busiest> busiest;
  size_t runs = 0;
};

struct SweepSummary {
  std::vector<SweepAxis> axes;
  std::vector<SweepPoint> points;
  std::optional<size_t> knee;  // index of the first point that fails
  std::string knee_sentence;
  std::vector<std::string> missing_jobs;
};

SweepSummary summarize_sweep(const ExperimentPlan& plan, const std::vector<std::optional<nlohmann::json>>& results);
// point, class, offered, throughput, p99, errors, busiest replica.
ReportTable sweep_table(const SweepSummary& summary);

}  // namespace archsim
