#pragma once
// Builds the SimGrid platform of a scenario: datacenters of racks of hosts, star-shaped at each
// level (host link -> top-of-rack switch -> rack link -> datacenter spine -> WAN), plus the
// clients' access link into their region. Every component replica gets its own host with the
// core count its model asks for. The network model is chosen explicitly here (see
// docs/network-model.md): LV08 would otherwise multiply every latency by 13.
#include <map>
#include <string>
#include <vector>

#include <simgrid/s4u.hpp>

#include "sim/scenario/scenario.h"

namespace archsim {
namespace sg4 = simgrid::s4u;

struct Placement {
  size_t replicas = 1;
  int cores       = 1;
};

struct Platform {
  bool ideal           = true;  // no network: transfers take no time
  sg4::Host* client    = nullptr;
  sg4::Host* driver    = nullptr;  // hosts the runtime's actors (executors); never fails
  std::map<std::string, std::vector<sg4::Host*>> replicas;
  // Pause and slow-CPU faults switch a host to a slower power state (SimGrid pstates keep the
  // work in progress and rescale it): (fault index, host) -> its pstate. Pstate 0 is nominal.
  std::map<std::pair<size_t, const sg4::Host*>, unsigned long> fault_pstates;
};

// A paused process's CPU runs at this share of its speed: practically stopped, yet never zero
// (SimGrid needs a positive speed).
constexpr double kPausedSpeedShare = 1e-9;

// SimGrid configuration for the scenario's network model; call before building the platform.
void configure_network_model(const PlatformSpec& spec);
Platform build_platform(const Scenario& scenario, const std::map<std::string, Placement>& placements);

}  // namespace archsim
