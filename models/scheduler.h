#pragma once
#include <memory>

#include "models/registry.h"

namespace archsim {
const ModelSpec& scheduler_spec();
Placement scheduler_placement(const ParamValues& params);
std::unique_ptr<Component> make_scheduler(Runtime& rt, const ComponentSpec& spec);
}  // namespace archsim
