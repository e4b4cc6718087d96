#pragma once
// The metrics every request class has, which targets may name ("latency.p99", "throughput", ...).
#include <string>
#include <utility>
#include <vector>

#include "sim/core/units.h"

namespace archsim {
const std::vector<std::pair<std::string, Unit>>& class_metrics();
}
