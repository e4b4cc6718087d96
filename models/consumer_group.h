#pragma once
#include <memory>

#include "models/registry.h"

namespace archsim {
const ModelSpec& consumer_group_spec();
Placement consumer_group_placement(const ParamValues& params);
std::unique_ptr<Component> make_consumer_group(Runtime& rt, const ComponentSpec& spec);
}  // namespace archsim
