#pragma once
#include <memory>

#include "models/registry.h"

namespace archsim {
const ModelSpec& external_service_spec();
Placement external_service_placement(const ParamValues& params);
std::unique_ptr<Component> make_external_service(Runtime& rt, const ComponentSpec& spec);
}  // namespace archsim
