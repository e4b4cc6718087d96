#include "sim/engine/component.h"

#include "sim/engine/runtime.h"

namespace archsim {

Component::Component(Runtime& rt, const ComponentSpec& spec)
    : rt_(rt), spec_(spec), hosts_(rt.platform().replicas.at(spec.name))
{
  metrics_ = &rt.metrics().add_component(spec.name, spec.model, hosts_.size());
  active_.assign(hosts_.size(), 0);
  down_.assign(hosts_.size(), false);
  disk_factor_.assign(hosts_.size(), 1.0);
}

size_t Component::choose_replica(const FlowContext&)
{
  size_t r      = next_replica_;
  next_replica_ = (next_replica_ + 1) % hosts_.size();
  return r;
}

void Component::disk_wait(size_t replica, double seconds) const
{
  if (seconds > 0)
    sg4::this_actor::sleep_for(seconds * disk_factor_[replica]);
}

}  // namespace archsim
