#pragma once
// report.html of a run: one self-contained page (html_page) with a header (scenario, design,
// variants, seed, simulated time, the scenario's description), the targets (met / missed,
// measured vs target), the plots (latency CDF per class; p99, throughput, errors, utilisation
// and queue length over time, warm-up and faults shaded) and the same tables as report.md,
// from the same report_content, so the two never disagree on a number.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analysis/report_content.h"
#include "analysis/targets.h"

namespace archsim {

std::string format_report_html(const nlohmann::json& result, const std::vector<TargetCheck>& checks);

// The run metadata as an HTML table (file names and commands in <code>).
std::string metadata_html(const nlohmann::json& result);

}  // namespace archsim
