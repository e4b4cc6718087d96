#pragma once
// report.html of `archsim compare` (html_page, svg_plot): bars of each class's throughput and
// p99 per variant with 95% confidence whiskers, the variants' latency CDFs overlaid per class
// (histograms merged over every replication of a variant), the verdict lines and the tables of
// report.md. Pure: reads the plan, the summary and the jobs' RunResult JSON.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "analysis/compare_summary.h"
#include "analysis/experiment_plan.h"

namespace archsim {

// `head` is the report's first line (as in report.md); `results[i]` is job i's summary.json
// (the page's title is its scenario's); `notes` are warnings (jobs without a result).
std::string format_compare_html(const std::string& head, const ExperimentPlan& plan, const CompareSummary& summary,
                                const std::vector<std::optional<nlohmann::json>>& results,
                                const std::vector<std::string>& notes);

}  // namespace archsim
