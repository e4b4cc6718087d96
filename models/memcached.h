#pragma once
#include <memory>

#include "models/registry.h"

namespace archsim {
const ModelSpec& memcached_spec();
Placement memcached_placement(const ParamValues& params);
std::unique_ptr<Component> make_memcached(Runtime& rt, const ComponentSpec& spec);
}  // namespace archsim
