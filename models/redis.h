#pragma once
#include <memory>

#include "models/registry.h"

namespace archsim {
const ModelSpec& redis_spec();
Placement redis_placement(const ParamValues& params);
std::unique_ptr<Component> make_redis(Runtime& rt, const ComponentSpec& spec);
}  // namespace archsim
