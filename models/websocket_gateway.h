#pragma once
#include <memory>

#include "models/registry.h"

namespace archsim {
const ModelSpec& websocket_gateway_spec();
Placement websocket_gateway_placement(const ParamValues& params);
std::unique_ptr<Component> make_websocket_gateway(Runtime& rt, const ComponentSpec& spec);
}  // namespace archsim
