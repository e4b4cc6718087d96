#pragma once
#include <memory>

#include "models/registry.h"

namespace archsim {
const ModelSpec& load_balancer_spec();
Placement load_balancer_placement(const ParamValues& params);
std::unique_ptr<Component> make_load_balancer(Runtime& rt, const ComponentSpec& spec);
}  // namespace archsim
