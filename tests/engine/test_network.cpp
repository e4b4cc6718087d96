// The network model is an explicit choice (docs/network-model.md): these tests pin what a
// small message costs under each.
#include <catch2/catch.hpp>

#include "sim_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {
// One client request to a zero-work station: the latency is the round trip alone.
std::string round_trip_scenario(const std::string& model)
{
  return R"(
archsim: 1
name: net
run: {duration: 2s, warmup: 0.5s}
platform:
  network_model: )" + model + R"(
  datacenters:
    dc: {racks: 2, host_link: {latency: 10us, bandwidth: 100Gbps}, rack_link: {latency: 20us, bandwidth: 100Gbps}}
  clients: {region: dc, latency: 50us, bandwidth: 1Gbps}
components:
  other: {model: queue_station, servers: 1, service: 0s}
  echo: {model: queue_station, servers: 1, service: 0s}
workload:
  ping: {arrivals: constant, rate: 100/s, request_size: 1000B, response_size: 1000B}
flows:
  ping: [{call: echo}]
)";
}
}  // namespace

TEST_CASE("cm02: a 1000-byte message costs the route's latencies plus size over the bottleneck bandwidth")
{
  auto r          = simulate(round_trip_scenario("cm02"));
  const auto& lat = klass(r, "ping")["latency"];
  // client access 50us + rack link 20us + host link 10us, and 1000 B over the 1 Gbps access
  // link (8us); `other` sits on the first rack, `echo` on the second.
  double one_way    = 50e-6 + 20e-6 + 10e-6 + 1000.0 / 125e6;
  double round_trip = 2 * one_way;
  // Requests never overlap (10 ms apart), so every one takes exactly the round trip.
  CHECK(lat["min"].get<double>() == Approx(round_trip).epsilon(0.005));
  CHECK(lat["max"].get<double>() == Approx(round_trip).epsilon(0.005));
}

TEST_CASE("lv08: SimGrid's TCP model multiplies the latency by 13.01 and divides the bandwidth by 0.97")
{
  auto r          = simulate(round_trip_scenario("lv08"));
  const auto& lat = klass(r, "ping")["latency"];
  double one_way  = 13.01 * (50e-6 + 20e-6 + 10e-6) + 1000.0 / (0.97 * 125e6);
  CHECK(lat["min"].get<double>() == Approx(2 * one_way).epsilon(0.01));
}

TEST_CASE("ideal network: transfers take no time")
{
  auto r = simulate(R"(
archsim: 1
name: ideal
run: {duration: 2s, warmup: 0.5s}
components:
  echo: {model: queue_station, servers: 1, service: 1ms}
workload:
  ping: {arrivals: constant, rate: 100/s}
flows:
  ping: [{call: echo}]
)");
  CHECK(klass(r, "ping")["latency"]["max"].get<double>() == Approx(1e-3).epsilon(1e-9));
}

TEST_CASE("cm02: host to host across racks crosses two host links and two rack links")
{
  auto r = simulate(R"(
archsim: 1
name: racks
run: {duration: 2s, warmup: 0.5s}
platform:
  datacenters:
    dc: {racks: 2, host_link: {latency: 10us, bandwidth: 100Gbps}, rack_link: {latency: 20us, bandwidth: 100Gbps}}
  clients: {region: dc, latency: 1ms, bandwidth: 100Gbps}
components:
  front: {model: service, threads: 4, cores: 4, cpu: 0s}
  back:  {model: queue_station, servers: 1, service: 0s}
workload:
  ping: {arrivals: constant, rate: 100/s, request_size: 0B, response_size: 0B}
flows:
  ping: [{call: front}, {call: back}]
)");
  // front-0 is on rack 0, back-0 on rack 1: 2 x (10 + 20 + 20 + 10) us = 120 us round trip.
  CHECK(comp(r, "front")["latency"]["max"].get<double>() == Approx(120e-6).epsilon(0.005));
}

TEST_CASE("cm02: a call to another datacenter crosses the WAN once each way")
{
  auto r = simulate(R"(
archsim: 1
name: wan
run: {duration: 2s, warmup: 0.5s}
platform:
  datacenters:
    east: {racks: 1, host_link: {latency: 10us, bandwidth: 100Gbps}, rack_link: {latency: 20us, bandwidth: 100Gbps}}
    west: {racks: 1, host_link: {latency: 10us, bandwidth: 100Gbps}, rack_link: {latency: 20us, bandwidth: 100Gbps}}
  wan: {latency: 10ms, bandwidth: 100Gbps}
  clients: {region: east, latency: 1ms, bandwidth: 100Gbps}
components:
  front: {model: service, threads: 4, cores: 4, cpu: 0s, datacenter: east}
  back:  {model: queue_station, servers: 1, service: 0s, datacenter: west}
  spare: {model: queue_station, servers: 1, service: 0s, datacenter: west}
workload:
  ping: {arrivals: constant, rate: 100/s, request_size: 0B, response_size: 0B}
flows:
  ping: [{call: front}, {call: back}]
)");
  // host 10us + rack 20us + WAN 10ms + rack 20us + host 10us, each way.
  CHECK(comp(r, "front")["latency"]["max"].get<double>() == Approx(2 * (10e-3 + 60e-6)).epsilon(0.001));
}
