#pragma once
#include <memory>

#include "models/registry.h"

namespace archsim {
const ModelSpec& push_service_spec();
Placement push_service_placement(const ParamValues& params);
std::unique_ptr<Component> make_push_service(Runtime& rt, const ComponentSpec& spec);
}  // namespace archsim
