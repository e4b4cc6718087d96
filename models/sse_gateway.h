#pragma once
#include <memory>

#include "models/registry.h"

namespace archsim {
const ModelSpec& sse_gateway_spec();
Placement sse_gateway_placement(const ParamValues& params);
std::unique_ptr<Component> make_sse_gateway(Runtime& rt, const ComponentSpec& spec);
}  // namespace archsim
