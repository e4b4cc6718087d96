#pragma once
// `archsim compare`, `archsim sweep` and `archsim aggregate`: experiments made of many runs.
// Each command writes DIR/plan.json, runs (or prints, with --emit-jobs) one job per variant or
// sweep point and replication, then aggregates the jobs' summary.json files into the report.
#include <optional>
#include <string>
#include <vector>

#include "analysis/experiment_plan.h"

namespace archsim::cli {

struct ExperimentArgs {
  std::string scenario;
  std::vector<std::string> variants;  // compare: which variants (default: all); sweep: applied to every point
  std::vector<std::string> params;    // sweep: PATH=VALUES
  std::vector<std::string> sets;
  std::vector<std::string> faults;  // --fault, injected in every run
  size_t replications = 0;  // 0: the command's default
  size_t jobs         = 0;  // 0: the core count
  std::optional<unsigned long long> seed;
  std::optional<std::string> duration;
  std::optional<std::string> warmup;
  std::string out;
  bool emit_jobs = false;
  bool until_target = false;  // sweep: bisect one --param A..B for where the targets stop holding
  bool quiet     = false;
};

// Copies what every job of an experiment shares into the plan: duration, warm-up, --set, --fault.
void set_common(const ExperimentArgs& args, ExperimentPlan& plan);

int cmd_compare(const ExperimentArgs& args);
int cmd_sweep(const ExperimentArgs& args);
int cmd_aggregate(const std::string& dir, bool quiet);
// Re-renders an output folder without simulating: a run's summary.txt and report.md from its
// summary.json, or an experiment's report (as aggregate).
int cmd_report(const std::string& dir, bool quiet);

}  // namespace archsim::cli
