#include "sim/engine/platform_builder.h"

#include <fmt/format.h>

namespace archsim {

namespace {
using simgrid::kernel::routing::NetPoint;

void add_uplink(sg4::NetZone* zone, NetPoint* member, NetPoint* gateway, const std::string& name, const LinkSpec& spec)
{
  sg4::SplitDuplexLink* link = zone->create_split_duplex_link(name, spec.bandwidth);
  link->set_latency(spec.latency)->seal();
  zone->add_route(member, nullptr, gateway, nullptr, {{link, sg4::LinkInRoute::Direction::UP}}, true);
}

// A star zone whose gateway is a router with an empty route: crossing it adds no latency.
sg4::NetZone* make_star(const std::string& name, sg4::NetZone* parent, NetPoint*& router)
{
  sg4::NetZone* zone = sg4::create_star_zone(name);
  if (parent)
    zone->set_parent(parent);
  router = zone->create_router(name + "-switch");
  zone->add_route(router, nullptr, nullptr, nullptr, {}, true);
  return zone;
}
}  // namespace

void configure_network_model(const PlatformSpec& spec)
{
  if (spec.network_model == "lv08") {
    sg4::Engine::set_config("network/model:LV08");
  } else {
    sg4::Engine::set_config("network/model:CM02");
  }
  sg4::Engine::set_config(std::string("network/crosstraffic:") + (spec.crosstraffic ? "1" : "0"));
}

namespace {

// The speeds (pstates) of replica r of component `comp`: nominal first, then one per pause or
// slow-CPU fault that targets it, recorded in out.fault_pstates once the host exists.
std::vector<double> host_speeds(const Scenario& sc, const std::string& comp, size_t r, double nominal,
                                std::vector<size_t>& faults)
{
  std::vector<double> speeds{nominal};
  for (size_t i = 0; i < sc.faults.size(); ++i) {
    const FaultSpec& f = sc.faults[i];
    if ((f.kind == FaultSpec::Kind::Pause || f.kind == FaultSpec::Kind::SlowCpu) && f.targets_host(comp, r)) {
      speeds.push_back(f.kind == FaultSpec::Kind::Pause ? nominal * kPausedSpeedShare : nominal / f.factor);
      faults.push_back(i);
    }
  }
  return speeds;
}

sg4::Host* create_replica_host(sg4::NetZone* zone, const Scenario& sc, const std::string& comp, size_t r,
                               int cores, Platform& out)
{
  std::vector<size_t> faults;
  auto speeds     = host_speeds(sc, comp, r, sc.platform.host_speed, faults);
  sg4::Host* host = zone->create_host(fmt::format("{}-{}", comp, r), speeds)->set_core_count(cores)->seal();
  for (size_t k = 0; k < faults.size(); ++k)
    out.fault_pstates[{faults[k], host}] = k + 1;
  return host;
}

}  // namespace

Platform build_platform(const Scenario& sc, const std::map<std::string, Placement>& placements)
{
  Platform out;
  const PlatformSpec& ps = sc.platform;
  out.ideal              = ps.network_model == "ideal";
  if (out.ideal) {
    // One zone, no links: nothing ever crosses a network.
    sg4::NetZone* world = sg4::create_full_zone("world");
    out.client          = world->create_host("clients", ps.host_speed)->seal();
    out.driver          = world->create_host("archsim-driver", ps.host_speed)->seal();
    for (const auto& c : sc.components) {
      const Placement& p = placements.at(c.name);
      for (size_t r = 0; r < p.replicas; ++r)
        out.replicas[c.name].push_back(create_replica_host(world, sc, c.name, r, p.cores, out));
    }
    world->seal();
    return out;
  }

  // A zone holds either hosts and its own switch (racks, the clients' zone) or only subzones
  // (the world, each datacenter): SimGrid 3.32 routes wrongly, or throws, between a netpoint
  // placed directly in a zone and one inside a subzone of that zone. So a datacenter's spine
  // switch lives in a subzone of its own, reached with no link.
  sg4::NetZone* world = sg4::create_star_zone("world");
  std::map<std::string, std::vector<sg4::NetZone*>> racks;
  std::map<std::string, size_t> next_rack;
  for (const auto& dc : ps.datacenters) {
    sg4::NetZone* dc_zone = sg4::create_star_zone(dc.name);
    dc_zone->set_parent(world);
    NetPoint* spine             = nullptr;
    sg4::NetZone* spine_zone    = make_star(dc.name + "-spine", dc_zone, spine);
    spine_zone->seal();
    dc_zone->add_route(spine_zone->get_netpoint(), nullptr, spine, nullptr, {}, true);
    LinkSpec half_wan = ps.wan;
    half_wan.latency  = ps.wan.latency / 2;  // a DC-to-DC route crosses two WAN uplinks
    add_uplink(world, dc_zone->get_netpoint(), spine, dc.name + "-wan", half_wan);
    for (int r = 0; r < dc.racks; ++r) {
      NetPoint* tor           = nullptr;
      sg4::NetZone* rack_zone = make_star(fmt::format("{}-rack{}", dc.name, r), dc_zone, tor);
      add_uplink(dc_zone, rack_zone->get_netpoint(), tor, fmt::format("{}-rack{}-link", dc.name, r), dc.rack_link);
      racks[dc.name].push_back(rack_zone);
    }
    if (dc.name == ps.client_region) {
      // Clients sit behind their access link, attached to the region's spine. They get a zone
      // of their own: SimGrid 3.32 routes wrongly (or throws) between a host placed directly
      // in a zone and a host inside one of that zone's subzones.
      NetPoint* edge        = nullptr;
      sg4::NetZone* clients = make_star(dc.name + "-clients", dc_zone, edge);
      out.client            = clients->create_host("clients", ps.host_speed)->seal();
      clients->add_route(out.client->get_netpoint(), nullptr, nullptr, nullptr, {}, true);
      out.driver = clients->create_host("archsim-driver", ps.host_speed)->seal();
      clients->add_route(out.driver->get_netpoint(), nullptr, nullptr, nullptr, {}, true);
      clients->seal();
      add_uplink(dc_zone, clients->get_netpoint(), edge, "clients-access", ps.client_link);
    }
  }
  // Replicas of a component are spread round-robin over the racks of its datacenter, so a
  // replicated store does not put all its copies behind one rack link.
  for (const auto& c : sc.components) {
    const std::string dc = c.datacenter.empty() ? ps.datacenters.front().name : c.datacenter;
    const DatacenterSpec* spec = nullptr;
    for (const auto& d : ps.datacenters)
      if (d.name == dc)
        spec = &d;
    const Placement& p = placements.at(c.name);
    for (size_t r = 0; r < p.replicas; ++r) {
      sg4::NetZone* rack = racks[dc][next_rack[dc]++ % racks[dc].size()];
      std::string name   = fmt::format("{}-{}", c.name, r);
      sg4::Host* host    = create_replica_host(rack, sc, c.name, r, p.cores, out);
      add_uplink(rack, host->get_netpoint(), nullptr, name + "-nic", spec->host_link);
      out.replicas[c.name].push_back(host);
    }
  }
  for (auto& [dc, zones] : racks)
    for (auto* z : zones)
      z->seal();
  for (const auto& dc : ps.datacenters)
    racks[dc.name].front()->get_parent()->seal();
  world->seal();
  return out;
}

}  // namespace archsim
