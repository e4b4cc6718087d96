#pragma once
// RunResult: everything a run measured, as schema-versioned JSON (docs/run-result.md). This is
// the only thing that leaves the engine; analysis/ reads it and never runs SimGrid.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/scenario/loader.h"

namespace archsim {

class Runtime;

constexpr const char* kRunResultSchema = "archsim.run/1";

struct RunMeta {
  std::vector<std::string> argv;
  double wall_time_s = 0;
};

nlohmann::json build_run_result(Runtime& rt, const ModelCatalog& catalog, const RunMeta& meta);

}  // namespace archsim
