#pragma once
// Target checking: decides whether each `targets:` line of the scenario ("redirect.latency.p99
// < 50ms", "db.utilisation < 80%") was met by a run, from the RunResult JSON alone. A target
// whose value was not measured (a percentile with no completed request, a subject absent from
// the result) is missed with `missing = true`: never a silent pass. `archsim run` exits 99 when
// !all_met().
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace archsim {

struct TargetCheck {
  std::string text;  // as written: "redirect.latency.p99 < 50ms"
  bool met = false;
  double measured = std::numeric_limits<double>::quiet_NaN();  // SI; NaN when missing
  double value    = 0;                                         // the target's bound, SI
  std::string unit;      // unit_name() of the metric: "duration", "rate", "fraction", ...
  bool missing = false;  // no measured value: counts as missed
};

// The measured value of `metric` for a request class or a component, nullopt when the run did
// not measure it. Class metrics: "latency.X" -> latency.X, "throughput", "errors" ->
// error_ratio, "timeouts" -> timeout_ratio (the ratios are nullopt when no request finished);
// component metrics: metrics[metric].
std::optional<double> lookup_metric(const nlohmann::json& result, const std::string& subject, bool is_class,
                                    const std::string& metric);

// One check per element of result["targets"], in order. Throws std::invalid_argument for a
// malformed target (unknown operator, no value).
std::vector<TargetCheck> evaluate_targets(const nlohmann::json& result);

// True when every check is met (and so none is missing); true for no targets.
bool all_met(const std::vector<TargetCheck>& checks);

// Writes the checks back into result["targets"][i]: "met", "measured" (null when missing) and
// "missing". `checks` must come from evaluate_targets(result) (same length; else
// std::invalid_argument).
void record_target_checks(nlohmann::json& result, const std::vector<TargetCheck>& checks);

// The checks of a result that went through record_target_checks (e.g. a summary.json read back
// by `archsim report`); targets without a recorded "met" are evaluated.
std::vector<TargetCheck> recorded_target_checks(const nlohmann::json& result);

}  // namespace archsim
