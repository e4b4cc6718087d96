#pragma once
// What `archsim compare` concludes from its runs: for every request class (throughput, error
// ratio, p50/p99/p99.9) and every component (utilisation and the metrics that say most about
// it: hit ratio, lag, lock waits, lost writes ...), each group's mean over the replications
// with a 95% confidence interval, and each variant's difference from the base, paired by
// replication (the runs share their random numbers) and marked significant when its own 95%
// interval excludes zero. Also a verdict per target and group. Pure: reads RunResult JSON only.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "analysis/experiment_plan.h"
#include "analysis/report_content.h"
#include "sim/core/statistics.h"
#include "sim/core/units.h"

namespace archsim {

struct CompareCell {
  std::optional<MeanCi> value;  // none: no replication measured it
  std::optional<MeanCi> diff;   // paired difference from the base (none for the base itself)
  bool significant = false;     // diff's 95% interval excludes 0 (needs >= 2 pairs)
};

struct CompareRow {
  std::string subject;  // class or component
  std::string metric;   // "latency.p99", "utilisation", ...
  Unit unit = Unit::Number;
  bool is_class = true;
  std::vector<CompareCell> cells;  // one per group, the base first
};

struct TargetVerdict {
  std::string text;
  std::vector<std::optional<MeanCi>> measured;  // per group
  std::vector<size_t> met;                      // replications that met it, per group
  std::vector<size_t> runs;                     // replications with a result, per group
  // Replications whose scenario has this target, per group: 0 when the group's variant drops it
  // (its report says n/a, not MISSED).
  std::vector<size_t> applicable;
};

struct CompareSummary {
  std::vector<std::string> groups;  // labels, the base first
  size_t replications = 0;
  std::vector<CompareRow> rows;     // classes first, then components
  std::vector<TargetVerdict> targets;
  std::vector<std::string> missing_jobs;  // jobs without a result
};

// `results[i]` is job i's summary.json (nullopt when the job left none).
CompareSummary summarize_compare(const ExperimentPlan& plan, const std::vector<std::optional<nlohmann::json>>& results);

// One row per (subject, metric); one column per group: "12.3ms ± 0.4ms" for the base, and
// "14.1ms ± 0.5ms (+15% *)" for a variant, `*` marking a significant difference.
ReportTable compare_table(const CompareSummary& summary);
// One row per target: for each group "met 5/5" or "MISSED 2/5", with the mean measured.
ReportTable verdict_table(const CompareSummary& summary);
// One sentence per target: "redirect.latency.p99 < 50ms: met by base, cache; missed by no_cache".
std::vector<std::string> verdict_lines(const CompareSummary& summary);

// The component metrics shown besides utilisation, when a component has them.
const std::vector<std::string>& headline_component_metrics();

}  // namespace archsim
