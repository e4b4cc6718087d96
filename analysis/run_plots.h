#pragma once
// The plots of a run, as data for svg_plot: the latency CDF of each request class (log x axis)
// from its histogram, and the time series (p99, throughput, errors per class; utilisation and
// queue lengths per component) with the warm-up and every fault shaded. Pure: reads RunResult
// JSON only. A plot with nothing to draw is not made (nullopt), so a report never shows an
// empty frame.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "analysis/svg_plot.h"
#include "sim/core/log_histogram.h"

namespace archsim {

// A class's latency histogram (successful requests); nullopt when absent, malformed or empty.
std::optional<LogHistogram> class_histogram(const nlohmann::json& cls);
// The CDF of a histogram as a step series: (smallest bucket's lower bound, 0), then each
// non-empty bucket's upper bound with the share of requests at or below it (ending at 1).
svg::Series cdf_series(const LogHistogram& h, const std::string& name);
// The CDF axes (log latency, fraction 0..1) and title, without series.
svg::LinePlot cdf_frame(const std::string& title);

// One curve per request class with successful requests.
std::optional<svg::LinePlot> latency_cdf_plot(const nlohmann::json& result);

// The warm-up (grey) and each fault that struck within the run (red, labelled with its text,
// until it recovered or the run ended).
std::vector<svg::Shade> run_shades(const nlohmann::json& result);

enum class TimePlot { P99, Throughput, Errors, Utilisation, QueueLength };
// One curve per class (P99, Throughput, Errors) or per component series (Utilisation: each
// component's `utilisation`, or its first other *utilisation series; QueueLength: every
// *_length series), at the middle of each window, breaking where a window has no value.
// Errors and QueueLength are made only when some window has a non-zero value.
std::optional<svg::LinePlot> time_plot(const nlohmann::json& result, TimePlot what);

}  // namespace archsim
