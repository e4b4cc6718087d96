#pragma once
#include <memory>

#include "models/registry.h"

namespace archsim {
const ModelSpec& message_queue_spec();
Placement message_queue_placement(const ParamValues& params);
std::unique_ptr<Component> make_message_queue(Runtime& rt, const ComponentSpec& spec);
}  // namespace archsim
