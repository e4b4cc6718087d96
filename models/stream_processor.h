#pragma once
#include <memory>

#include "models/registry.h"

namespace archsim {
const ModelSpec& stream_processor_spec();
Placement stream_processor_placement(const ParamValues& params);
std::unique_ptr<Component> make_stream_processor(Runtime& rt, const ComponentSpec& spec);
}  // namespace archsim
