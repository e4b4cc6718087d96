#pragma once
#include <memory>

#include "models/registry.h"

namespace archsim {
const ModelSpec& coordination_spec();
Placement coordination_placement(const ParamValues& params);
std::unique_ptr<Component> make_coordination(Runtime& rt, const ComponentSpec& spec);
}  // namespace archsim
