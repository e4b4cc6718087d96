#pragma once
#include <memory>

#include "models/registry.h"

namespace archsim {
const ModelSpec& service_spec();
Placement service_placement(const ParamValues& params);
std::unique_ptr<Component> make_service(Runtime& rt, const ComponentSpec& spec);
}  // namespace archsim
