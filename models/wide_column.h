#pragma once
#include <memory>

#include "models/registry.h"

namespace archsim {
const ModelSpec& wide_column_spec();
Placement wide_column_placement(const ParamValues& params);
std::unique_ptr<Component> make_wide_column(Runtime& rt, const ComponentSpec& spec);
}  // namespace archsim
