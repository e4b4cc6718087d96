#pragma once
#include <memory>

#include "models/registry.h"

namespace archsim {
const ModelSpec& cdn_edge_spec();
Placement cdn_edge_placement(const ParamValues& params);
std::unique_ptr<Component> make_cdn_edge(Runtime& rt, const ComponentSpec& spec);
}  // namespace archsim
