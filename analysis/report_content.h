#pragma once
// What a run report says, independent of how it is drawn: the headline, the request-class,
// component and target tables as rows of already formatted cells, and the warnings. The
// terminal table (run_table) and report.md (report_md) render the same content, so the two can
// never disagree on a number or a unit.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analysis/targets.h"
#include "sim/core/units.h"

namespace archsim {

enum class Align { Left, Right };
enum class Tone { Plain, Good, Bad };  // colour of a row's first cell, when colour is on

struct ReportTable {
  std::vector<std::string> headers;
  std::vector<Align> align;                    // one per column
  std::vector<std::vector<std::string>> rows;  // each row has headers.size() cells
  std::vector<Tone> tones;                     // one per row
};

// The unit of a component metric: from the result's "units" {metric: unit name} when present,
// else inferred from the name (…utilisation, …ratio: fraction; latency.*: duration; else count).
Unit component_metric_unit(const nlohmann::json& comp, const std::string& metric);

// The run metadata needed to reproduce and cite a run, one row per fact: scenario, design,
// variants, seed, simulated time, time-series window, network model, archsim and SimGrid
// versions, command line, wall time, schema. `code` is a file name or command (shown in
// monospace after `text`, in parentheses when both are set); absent facts are left out.
struct MetadataRow {
  std::string key, text, code;
};
std::vector<MetadataRow> run_metadata(const nlohmann::json& result);

// "URL shortener (shortener) | variants: cache | seed 42 | 60s simulated, 10s warm-up | network
// CM02 | wall time 1.2s". Absent fields are left out.
std::string run_headline(const nlohmann::json& result);
// class, offered, throughput, errors, [timeouts,] p50, p90, p99, p99.9, max ("-" = not measured;
// the timeouts column only when some class has timeouts).
ReportTable class_table(const nlohmann::json& result);
// component, model, replicas, utilisation, queue, throughput, p99, other (the remaining
// non-zero metrics: rejections, retries, timeouts first).
ReportTable component_table(const nlohmann::json& result);
// result, target, measured: one row per check, "✓ met" or "✗ MISSED".
ReportTable target_table(const std::vector<TargetCheck>& checks);
// fault, struck, recovered: one row per scenario fault ("after the end" when it did not strike
// or recover within the run, "never" for a crash without a duration).
ReportTable fault_table(const nlohmann::json& result);
// "all 3 targets met", "1 of 3 targets MISSED", or "" when there are no targets.
std::string targets_verdict(const std::vector<TargetCheck>& checks);
// Signs that the numbers understate the load: requests still in flight at the end (more than
// 1% of arrivals), dropped requests, an executor backlog at the end. One sentence each.
std::vector<std::string> run_warnings(const nlohmann::json& result);

}  // namespace archsim
