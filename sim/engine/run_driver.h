#pragma once
// Runs one simulation of a loaded scenario and returns its RunResult. SimGrid allows one engine
// per process and its clock never resets, so run_simulation() may be called once per process;
// run_isolated() forks a child for it, which tests and multi-run commands use.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/scenario/scenario.h"

namespace archsim {

struct EngineOptions {
  std::vector<std::string> simgrid_args;  // --cfg=... and --log=... passed through to SimGrid
  std::vector<std::string> argv;          // recorded in the result
  bool progress = false;                  // simulated-time progress on stderr
};

nlohmann::json run_simulation(const Scenario& scenario, const EngineOptions& options);
// Same, in a forked child process; throws std::runtime_error if the child fails.
nlohmann::json run_isolated(const Scenario& scenario, const EngineOptions& options);

}  // namespace archsim
