#pragma once
#include <memory>

#include "models/registry.h"

namespace archsim {
const ModelSpec& kafka_spec();
Placement kafka_placement(const ParamValues& params);
std::unique_ptr<Component> make_kafka(Runtime& rt, const ComponentSpec& spec);
}  // namespace archsim
