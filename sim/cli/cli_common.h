#pragma once
// Shared pieces of the archsim commands: exit codes, loading a scenario with errors printed,
// and the split between archsim's own arguments and SimGrid's --cfg/--log ones.
#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/loader.h"

namespace archsim::cli {

enum Exit : int { kOk = 0, kInternal = 1, kUsage = 2, kRunFailed = 3, kTargetMissed = 99 };

// Loads and validates; prints every error to stderr.
std::optional<Scenario> load_or_report(const std::string& path, const LoadOptions& options);

// Where `archsim list` looks for scenarios: $ARCHSIM_SCENARIOS, else ./scenarios, else the
// source tree's scenarios/ folder.
std::string scenarios_dir();
std::vector<std::string> scenario_files(const std::string& dir);

int cmd_list();
int cmd_describe(const std::vector<std::string>& models);
int cmd_validate(const std::vector<std::string>& files);

}  // namespace archsim::cli
