// Readers for the `run:` and `platform:` sections.
#include <fmt/format.h>

#include "sim/scenario/loader.h"
#include "sim/scenario/readers.h"

namespace archsim {

// Defaults for links, one definition each (reference-figures.md section 12):
// - host link 25us: intra-zone RTT 0.08-0.10 ms (IBM Cloud VPC row) ~ 2 x (25+25)us host-to-host;
// - rack link 100us: cross-rack one-way 25+100+100+25 = 250us, RTT 500us ("Round trip within
//   same datacenter 500 us", Dean/Norvig row);
// - 10Gbps: "Common NIC speeds 10, 25, 100 GbE" row.
// - WAN 35ms one-way: half of "Washington DC-London 75 ms" RTT rounded (IBM Cloud VPC row).
static const char* const kHostLinkLatency = "25us";
static const char* const kRackLinkLatency = "100us";
static const char* const kLinkBandwidth   = "10Gbps";
static const char* const kWanLatency      = "35ms";

void read_run(const YNode& node, RunSettings& run, Diagnostics& diags)
{
  if (!expect_map(node, "run", diags))
    return;
  check_keys(node, {"duration", "warmup", "seed", "window", "max_in_flight", "max_backlog"}, "run", diags);
  if (const YNode* n = node.find("duration"))
    if (auto v = read_quantity(*n, Unit::Duration, "run.duration", diags, 1e-3, 30 * 86400))
      run.duration = *v;
  if (const YNode* n = node.find("warmup"))
    if (auto v = read_quantity(*n, Unit::Duration, "run.warmup", diags, 0))
      run.warmup = *v;
  if (const YNode* n = node.find("seed"))
    if (auto v = read_quantity(*n, Unit::Count, "run.seed", diags, 0, 9.007e15, true))
      run.seed = static_cast<uint64_t>(*v);
  if (const YNode* n = node.find("window"))
    if (auto v = read_quantity(*n, Unit::Duration, "run.window", diags, 1e-3))
      run.window = *v;
  if (const YNode* n = node.find("max_in_flight"))
    if (auto v = read_quantity(*n, Unit::Count, "run.max_in_flight", diags, 1, 30000, true))
      run.max_in_flight = static_cast<size_t>(*v);
  if (const YNode* n = node.find("max_backlog"))
    if (auto v = read_quantity(*n, Unit::Count, "run.max_backlog", diags, 0, 1e8, true))
      run.max_backlog = static_cast<size_t>(*v);
}

namespace {
LinkSpec read_link(const YNode* node, const std::string& path, const char* latency_default, Diagnostics& diags)
{
  LinkSpec link;
  link.bandwidth = *parse_quantity(kLinkBandwidth, Unit::Bandwidth);
  link.latency   = *parse_quantity(latency_default, Unit::Duration);
  if (!node || !expect_map(*node, path, diags))
    return link;
  check_keys(*node, {"bandwidth", "latency"}, path, diags);
  if (const YNode* n = node->find("bandwidth"))
    if (auto v = read_quantity(*n, Unit::Bandwidth, path + ".bandwidth", diags, 1))
      link.bandwidth = *v;
  if (const YNode* n = node->find("latency"))
    if (auto v = read_quantity(*n, Unit::Duration, path + ".latency", diags, 0, 3600))
      link.latency = *v;
  return link;
}
}  // namespace

void read_platform(const YNode* node, PlatformSpec& p, Diagnostics& diags)
{
  if (!node) {
    p.network_model = "ideal";
    return;
  }
  if (!expect_map(*node, "platform", diags))
    return;
  check_keys(*node, {"network_model", "datacenters", "clients", "wan", "host_speed", "crosstraffic", "small_message"}, "platform",
             diags);
  const YNode* dcs = node->find("datacenters");
  p.network_model  = dcs ? "cm02" : "ideal";
  if (const YNode* n = node->find("network_model"))
    if (auto v = read_choice(*n, {"ideal", "cm02", "lv08"}, "platform.network_model", diags))
      p.network_model = *v;
  if (const YNode* n = node->find("host_speed"))
    if (auto v = read_quantity(*n, Unit::Speed, "platform.host_speed", diags, 1))
      p.host_speed = *v;
  if (const YNode* n = node->find("crosstraffic"))
    if (auto v = read_flag(*n, "platform.crosstraffic", diags))
      p.crosstraffic = *v;
  if (const YNode* n = node->find("small_message"))
    if (auto v = read_quantity(*n, Unit::Size, "platform.small_message", diags, 0, 1e12))
      p.small_message = *v;
  if (dcs && expect_map(*dcs, "platform.datacenters", diags)) {
    for (const auto& e : dcs->entries) {
      std::string path = "platform.datacenters." + e.key;
      DatacenterSpec dc;
      dc.name = e.key;
      dc.loc  = e.key_loc;
      if (!e.value.is_null() && expect_map(e.value, path, diags)) {
        check_keys(e.value, {"racks", "host_link", "rack_link"}, path, diags);
        if (const YNode* n = e.value.find("racks"))
          if (auto v = read_quantity(*n, Unit::Count, path + ".racks", diags, 1, 1000, true))
            dc.racks = static_cast<int>(*v);
      }
      const YNode* value = e.value.is_map() ? &e.value : nullptr;
      dc.host_link = read_link(value ? value->find("host_link") : nullptr, path + ".host_link", kHostLinkLatency, diags);
      dc.rack_link = read_link(value ? value->find("rack_link") : nullptr, path + ".rack_link", kRackLinkLatency, diags);
      p.datacenters.push_back(dc);
    }
    if (dcs->entries.empty())
      diags.error(dcs->loc, "platform.datacenters", "expected at least one datacenter");
  }
  if (p.network_model != "ideal" && p.datacenters.empty())
    diags.error(node->loc, "platform",
                fmt::format("network model '{}' needs 'datacenters:' (or use network_model: ideal)", p.network_model));
  p.wan = read_link(node->find("wan"), "platform.wan", kWanLatency, diags);
  const YNode* clients = node->find("clients");
  p.client_region      = p.datacenters.empty() ? "" : p.datacenters.front().name;
  p.client_link        = read_link(nullptr, "", "20ms", diags);
  p.client_link.bandwidth = *parse_quantity("1Gbps", Unit::Bandwidth);
  if (clients && expect_map(*clients, "platform.clients", diags)) {
    check_keys(*clients, {"region", "latency", "bandwidth"}, "platform.clients", diags);
    if (const YNode* n = clients->find("region"))
      if (auto t = read_text(*n, "platform.clients.region", diags)) {
        bool found = false;
        std::vector<std::string> names;
        for (const auto& dc : p.datacenters) {
          names.push_back(dc.name);
          found = found || dc.name == *t;
        }
        if (!found)
          diags.error(n->loc, "platform.clients.region",
                      fmt::format("no datacenter named '{}'; expected one of {}", *t, list_names(names)));
        p.client_region = *t;
      }
    if (const YNode* n = clients->find("latency"))
      if (auto v = read_quantity(*n, Unit::Duration, "platform.clients.latency", diags, 0, 3600))
        p.client_link.latency = *v;
    if (const YNode* n = clients->find("bandwidth"))
      if (auto v = read_quantity(*n, Unit::Bandwidth, "platform.clients.bandwidth", diags, 1))
        p.client_link.bandwidth = *v;
  }
}

}  // namespace archsim
