// One actor per scenario fault: it sleeps until the fault's time, applies it, and undoes it
// after its duration. Each kind acts on the simulated resource it names, so its effect comes
// out of the simulation: a crash makes the component refuse calls and lose what the model says
// a crash loses; a pause or a slow CPU switches the host's SimGrid pstate (work in progress is
// rescaled, queues build behind it); a slow disk multiplies the model's disk waits; a degraded
// link changes the SimGrid link's latency and bandwidth; a partition and a failure rate act on
// the calls of the flows (flow_walker.cpp).
#include "sim/engine/fault_injector.h"

#include <cmath>

#include "sim/engine/runtime.h"

namespace archsim {

namespace {

std::vector<size_t> target_replicas(const FaultSpec& f, const Component& c)
{
  std::vector<size_t> targets = f.replicas;
  if (targets.empty())
    for (size_t r = 0; r < c.replicas(); ++r)
      targets.push_back(r);
  return targets;
}

// A link's state before a degrade fault, to restore afterwards.
struct LinkState {
  sg4::Link* link;
  double latency, bandwidth;
};

std::vector<LinkState> find_links(const std::string& name)
{
  std::vector<LinkState> out;
  for (const char* side : {"_UP", "_DOWN"})
    if (sg4::Link* l = sg4::Link::by_name_or_null(name + side))
      out.push_back({l, l->get_latency(), l->get_bandwidth()});
  return out;
}

// Bandwidth a TCP flow keeps under random loss p (Mathis et al. 1997: MSS / RTT x 1.22 / sqrt(p)),
// with the round trip taken as twice the link's own latency: a ceiling, since the rest of the
// path only lengthens the round trip.
double lossy_bandwidth(double bandwidth, double latency, double loss)
{
  constexpr double kMss = 1460;  // bytes: Ethernet MTU 1500 - IP and TCP headers
  if (loss <= 0 || latency <= 0)
    return bandwidth;
  return std::min(bandwidth, kMss / (2 * latency) * 1.22 / std::sqrt(loss));
}

void apply(Runtime& rt, const FaultSpec& f, size_t index, std::vector<LinkState>& saved)
{
  switch (f.kind) {
    case FaultSpec::Kind::Crash: {
      Component& c = rt.component(f.component);
      for (size_t r : target_replicas(f, c))
        if (!c.is_down(r))
          c.crash(r);
      break;
    }
    case FaultSpec::Kind::Pause:
    case FaultSpec::Kind::SlowCpu: {
      Component& c = rt.component(f.component);
      for (size_t r : target_replicas(f, c))
        c.host(r)->set_pstate(rt.platform().fault_pstates.at({index, c.host(r)}));
      break;
    }
    case FaultSpec::Kind::SlowDisk: {
      Component& c = rt.component(f.component);
      for (size_t r : target_replicas(f, c))
        c.set_disk_factor(r, f.factor);
      break;
    }
    case FaultSpec::Kind::Fail:
      rt.set_fail_rate(&rt.component(f.component), f.rate);
      break;
    case FaultSpec::Kind::Partition:
      rt.begin_partition(&f);
      break;
    case FaultSpec::Kind::Degrade:
      saved = find_links(f.link);
      for (const auto& s : saved) {
        double latency = s.latency * f.latency_factor;
        s.link->set_latency(latency);
        s.link->set_bandwidth(lossy_bandwidth(s.bandwidth / f.bandwidth_divisor, latency, f.loss));
      }
      break;
  }
}

void undo(Runtime& rt, const FaultSpec& f, const std::vector<LinkState>& saved)
{
  switch (f.kind) {
    case FaultSpec::Kind::Crash: {
      Component& c = rt.component(f.component);
      for (size_t r : target_replicas(f, c))
        if (c.is_down(r))
          c.recover(r);
      break;
    }
    case FaultSpec::Kind::Pause:
    case FaultSpec::Kind::SlowCpu: {
      Component& c = rt.component(f.component);
      for (size_t r : target_replicas(f, c))
        c.host(r)->set_pstate(0);
      break;
    }
    case FaultSpec::Kind::SlowDisk: {
      Component& c = rt.component(f.component);
      for (size_t r : target_replicas(f, c))
        c.set_disk_factor(r, 1);
      break;
    }
    case FaultSpec::Kind::Fail:
      rt.set_fail_rate(&rt.component(f.component), 0);
      break;
    case FaultSpec::Kind::Partition:
      rt.end_partition(&f);
      break;
    case FaultSpec::Kind::Degrade:
      for (const auto& s : saved) {
        s.link->set_latency(s.latency);
        s.link->set_bandwidth(s.bandwidth);
      }
      break;
  }
}

}  // namespace

void start_faults(Runtime& rt)
{
  const Scenario& sc = rt.scenario();
  rt.metrics().faults.assign(sc.faults.size(), FaultRecord{});
  for (size_t i = 0; i < sc.faults.size(); ++i) {
    sg4::Actor::create("fault-" + std::to_string(i), rt.platform().driver, [&rt, i]() {
      const FaultSpec& f = rt.scenario().faults[i];
      std::vector<LinkState> saved;
      sg4::this_actor::sleep_until(f.at);
      FaultRecord& record = rt.metrics().faults[i];
      record.began        = Runtime::now();
      apply(rt, f, i, saved);
      if (f.duration <= 0)
        return;
      sg4::this_actor::sleep_for(f.duration);
      undo(rt, f, saved);
      record.ended = Runtime::now();
    })->daemonize();
  }
}

}  // namespace archsim
