#pragma once
#include <memory>

#include "models/registry.h"

namespace archsim {
const ModelSpec& batch_job_spec();
Placement batch_job_placement(const ParamValues& params);
std::unique_ptr<Component> make_batch_job(Runtime& rt, const ComponentSpec& spec);
}  // namespace archsim
