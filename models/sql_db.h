#pragma once
#include <memory>

#include "models/registry.h"

namespace archsim {
const ModelSpec& sql_db_spec();
Placement sql_db_placement(const ParamValues& params);
std::unique_ptr<Component> make_sql_db(Runtime& rt, const ComponentSpec& spec);
}  // namespace archsim
