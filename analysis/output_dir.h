#pragma once
// Writes a run's output folder (`archsim run --out DIR`): summary.json (the RunResult with the
// target checks recorded, 2-space indent), timeseries.csv, latency.csv, report.md, report.html
// (self-contained, with inline SVG plots), and summary.txt (the terminal table, without colour). The folder is created if needed; failures
// throw std::runtime_error naming the path, never a partial silent success.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace archsim {

// Which files to write (`--format`); summary.json is always written, because `archsim report`
// and `archsim aggregate` read it back.
struct OutputSelection {
  bool csv   = true;  // timeseries.csv, latency.csv
  bool md    = true;  // report.md
  bool html  = true;  // report.html
  bool table = true;  // summary.txt (only when `table` is non-empty)
};

// `result_with_checks` is the RunResult after record_target_checks(); `table` is the output of
// format_run_table(..., colour = false). Returns the paths written, in order.
std::vector<std::string> write_run_outputs(const std::string& dir, const nlohmann::json& result_with_checks,
                                           const std::string& table, const OutputSelection& select = {});

// Writes `content` to `path` (replacing it); throws std::runtime_error "cannot write PATH: why".
void write_text_file(const std::string& path, const std::string& content);

}  // namespace archsim
