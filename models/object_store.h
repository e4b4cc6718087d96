#pragma once
#include <memory>

#include "models/registry.h"

namespace archsim {
const ModelSpec& object_store_spec();
Placement object_store_placement(const ParamValues& params);
std::unique_ptr<Component> make_object_store(Runtime& rt, const ComponentSpec& spec);
}  // namespace archsim
