#pragma once
#include <memory>

#include "models/registry.h"

namespace archsim {
const ModelSpec& search_index_spec();
Placement search_index_placement(const ParamValues& params);
std::unique_ptr<Component> make_search_index(Runtime& rt, const ComponentSpec& spec);
}  // namespace archsim
