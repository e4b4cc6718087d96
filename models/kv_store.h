#pragma once
#include <memory>

#include "models/registry.h"

namespace archsim {
const ModelSpec& kv_store_spec();
Placement kv_store_placement(const ParamValues& params);
std::unique_ptr<Component> make_kv_store(Runtime& rt, const ComponentSpec& spec);
}  // namespace archsim
