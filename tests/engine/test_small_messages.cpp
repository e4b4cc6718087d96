// Small messages skip SimGrid's bandwidth solver (sim/engine/small_messages.h). Alone on their
// route they must cost exactly what a SimGrid flow costs, and the run must report how much of
// each link they used, since they do not share it.
#include <catch2/catch.hpp>

#include "sim_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {
// Pings 10 ms apart (never overlapping) over a client link of `latency`, with `size` each way;
// `upload` adds a class that sends 50 MB to the same server once a second.
std::string pings(const std::string& latency, const std::string& size, const std::string& small_message,
                  bool upload = false)
{
  std::string uploads = upload ? "  upload: {arrivals: constant, rate: 1/s, request_size: 50MB, response_size: 100B}\n" : "";
  std::string upload_flow = upload ? "  upload: [{call: echo}]\n" : "";
  return R"(
archsim: 1
name: pings
run: {duration: 2s, warmup: 0.5s}
platform:
  small_message: )" + small_message + R"(
  datacenters:
    dc: {racks: 2, host_link: {latency: 10us, bandwidth: 10Gbps}, rack_link: {latency: 20us, bandwidth: 40Gbps}}
  clients: {region: dc, latency: )" + latency + R"(, bandwidth: 1Gbps}
components:
  echo: {model: queue_station, servers: 1, service: 0s}
workload:
  ping: {arrivals: constant, rate: 100/s, request_size: )" + size + ", response_size: " + size + R"(}
)" + uploads + R"(flows:
  ping: [{call: echo}]
)" + upload_flow;
}

void check_same_as_flows(const std::string& latency, const std::string& size)
{
  auto small = simulate(pings(latency, size, "64KiB"));
  auto flows = simulate(pings(latency, size, "0B"));
  REQUIRE(small["run"].contains("small_messages"));
  CHECK(small["run"]["small_messages"]["messages"].get<double>() > 300);
  CHECK_FALSE(flows["run"].contains("small_messages"));
  for (const char* q : {"min", "max"})
    CHECK(klass(small, "ping")["latency"][q].get<double>() ==
          Approx(klass(flows, "ping")["latency"][q].get<double>()).epsilon(1e-9));
}
}  // namespace

TEST_CASE("a small message alone costs what a SimGrid flow costs: latency plus size over the bottleneck")
{
  check_same_as_flows("50us", "1000B");
}

TEST_CASE("a small message over a long route is capped by the TCP window as a SimGrid flow is")
{
  // 60 KB over 2 x 100 ms of round trip: 4 MiB / 0.2 s = 21 MB/s, far below the 1 Gbps link.
  check_same_as_flows("100ms", "60KB");
}

TEST_CASE("the run reports the small messages' bytes and the share of the busiest link they used")
{
  auto r           = simulate(pings("50us", "1000B", "64KiB"));
  const auto& sm   = r["run"]["small_messages"];
  double messages  = sm["messages"].get<double>();
  CHECK(messages == Approx(400).margin(4));  // 200 pings, each a request and a response
  CHECK(sm["bytes"].get<double>() == Approx(1000 * messages));
  // The access link (1 Gbps, the slowest crossed), one direction of it: requests go up, responses down.
  CHECK(sm["busiest_link"].get<std::string>().rfind("clients-access_", 0) == 0);
  // Half the bytes cross each direction: bytes / 2 / (125 MB/s x 2 s).
  CHECK(sm["busiest_link_share"].get<double>() == Approx(1000 * messages / 2 / (125e6 * 2)).epsilon(1e-6));
}

TEST_CASE("above platform.small_message a message is a flow that shares bandwidth")
{
  // 100 KB each way is above the 64 KiB default: the run counts no small message at all.
  auto r = simulate(pings("50us", "100KB", "64KiB"));
  CHECK(r["run"]["small_messages"]["messages"].get<double>() == 0);
}


TEST_CASE("a small message on a link that a bulk flow fills is sent as a flow and shares the link")
{
  // Each 50 MB upload fills the 1 Gbps access link for 0.4 s, and the pings cross it meanwhile:
  // they must be as slow as SimGrid's sharing makes them, not as fast as alone.
  auto small = simulate(pings("50us", "1000B", "64KiB", true));
  auto flows = simulate(pings("50us", "1000B", "0B", true));
  auto alone = simulate(pings("50us", "1000B", "64KiB"));
  // About 100 pings/s during 0.4 s of each upload.
  CHECK(small["run"]["small_messages"]["sent_as_flows"].get<double>() >= 20);
  // A ping's request shares the access link up with the upload: half of 1 Gbps, so its 1000 B
  // take 16 us there instead of 8.
  double slowest = klass(small, "ping")["latency"]["max"].get<double>();
  CHECK(slowest == Approx(klass(alone, "ping")["latency"]["max"].get<double>() + 8e-6).epsilon(0.01));
  CHECK(slowest == Approx(klass(flows, "ping")["latency"]["max"].get<double>()).epsilon(0.01));
  CHECK(klass(small, "ping")["latency"]["mean"].get<double>() ==
        Approx(klass(flows, "ping")["latency"]["mean"].get<double>()).epsilon(0.01));
}
