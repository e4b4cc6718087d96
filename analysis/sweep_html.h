#pragma once
// report.html of `archsim sweep` (html_page, svg_plot): p99 and p50 against the swept value and
// throughput against offered load, the knee marked by a vertical line and said in its
// sentence, then the sweep table of report.md. With several swept parameters the x axis is the
// last one, and each combination of the others is its own curve. Pure: reads the plan, the
// summary and the jobs' RunResult JSON.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "analysis/experiment_plan.h"
#include "analysis/sweep_summary.h"

namespace archsim {

// As format_compare_html (compare_html.h).
std::string format_sweep_html(const std::string& head, const ExperimentPlan& plan, const SweepSummary& summary,
                              const std::vector<std::optional<nlohmann::json>>& results,
                              const std::vector<std::string>& notes);

}  // namespace archsim
