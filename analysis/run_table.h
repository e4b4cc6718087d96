#pragma once
// The report `archsim run` prints on stdout: the run's headline, the request classes, the
// components, the targets and any warnings, as aligned plain-text tables.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "analysis/targets.h"

namespace archsim {

// `colour` adds ANSI colours (green met, red MISSED, yellow warnings); off for pipes and files.
std::string format_run_table(const nlohmann::json& result, const std::vector<TargetCheck>& checks,
                             bool colour = false);

}  // namespace archsim
