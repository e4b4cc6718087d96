#pragma once
// The CSV files of a run's output folder, for plotting with any tool (pandas, R, gnuplot,
// a spreadsheet). Both are "long" (tidy) tables with a header row; numbers are SI (seconds,
// per-second rates, fractions 0..1) in the shortest form that reads back exactly.
#include <nlohmann/json.hpp>
#include <string>

namespace archsim {

// timeseries.csv: "t,series,subject,value", one row per window start t, per series, per
// request class then component (e.g. "10,throughput,redirect,9876.5"; "3,utilisation,db,0.82").
// A window without a value (p99 of a window where nothing completed) has an empty value, so
// plots show a gap rather than a false zero.
std::string timeseries_csv(const nlohmann::json& result);

// latency.csv: "class,lower_s,upper_s,count,cumulative_fraction", one row per non-empty bucket of
// each class's latency histogram (successful requests), increasing; cumulative_fraction is the
// share of requests at or below upper_s and ends at 1 for each class: the latency CDF.
// Throws std::invalid_argument when a histogram is malformed.
std::string latency_csv(const nlohmann::json& result);

}  // namespace archsim
