#pragma once
#include <memory>

#include "models/registry.h"

namespace archsim {
const ModelSpec& queue_station_spec();
Placement queue_station_placement(const ParamValues& params);
std::unique_ptr<Component> make_queue_station(Runtime& rt, const ComponentSpec& spec);
}  // namespace archsim
