#pragma once
// What a fault did to each request class, read from a run result's time series: the level
// before the fault (baseline), during it, and how long after its end the class took to come
// back (recovery time). Also the losses and duplicates the models counted. Analysis only: it
// reads summary.json, never SimGrid.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "analysis/report_content.h"

namespace archsim {

struct ClassFaultEffect {
  std::string class_name;
  // Means over the measured windows before the fault struck, and over the windows it covered.
  double throughput_before = 0, throughput_during = 0;  // successful completions per second
  double errors_before = 0, errors_during = 0;          // failed completions per second
  std::optional<double> p99_before, p99_during;         // worst window p99 during
  // Seconds from the fault's end until the class is back: the first window from which p99 is
  // within kRecoveredP99 x its baseline and errors within the baseline's level, for
  // kRecoveredWindows windows in a row. Empty: not within the run (or the fault never ended).
  std::optional<double> recovery_s;
};

struct FaultEffect {
  std::string text;
  bool struck = false;
  std::vector<ClassFaultEffect> classes;
};

constexpr double kRecoveredP99     = 1.5;
constexpr int kRecoveredWindows    = 3;

std::vector<FaultEffect> fault_effects(const nlohmann::json& result);

// Component metrics that count data lost or duplicated (writes_lost, duplicates, ...) with a
// non-zero value: "cache.writes_lost = 50".
std::vector<std::string> data_loss_lines(const nlohmann::json& result);

// fault, class, p99 before -> worst during, throughput before -> during, errors/s during,
// recovered after: one row per fault and request class that struck.
ReportTable fault_effect_table(const nlohmann::json& result);

}  // namespace archsim
