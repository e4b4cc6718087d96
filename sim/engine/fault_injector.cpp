#include "sim/engine/fault_injector.h"

#include "sim/engine/runtime.h"

namespace archsim {

void start_faults(Runtime& rt)
{
  const Scenario& sc = rt.scenario();
  rt.metrics().faults.assign(sc.faults.size(), FaultRecord{});
  for (size_t i = 0; i < sc.faults.size(); ++i) {
    sg4::Actor::create("fault-" + std::to_string(i), rt.platform().driver, [&rt, i]() {
      const FaultSpec& f = rt.scenario().faults[i];
      Component& c       = rt.component(f.component);
      std::vector<size_t> targets = f.replicas;
      if (targets.empty())
        for (size_t r = 0; r < c.replicas(); ++r)
          targets.push_back(r);
      sg4::this_actor::sleep_until(f.at);
      FaultRecord& record = rt.metrics().faults[i];
      record.began        = Runtime::now();
      for (size_t r : targets)
        if (!c.is_down(r))
          c.crash(r);
      if (f.duration <= 0)
        return;
      sg4::this_actor::sleep_for(f.duration);
      for (size_t r : targets)
        if (c.is_down(r))
          c.recover(r);
      record.ended = Runtime::now();
    });
  }
}

}  // namespace archsim
