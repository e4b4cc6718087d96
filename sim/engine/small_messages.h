#pragma once
// Small messages without the bandwidth solver. Under CM02 a message that crosses the network
// alone takes the route's latency plus its size over the smaller of the bottleneck bandwidth and
// the TCP window bound (TCP-gamma / 2 x latency). SimGrid gets that figure by adding a flow to
// its max-min system, and re-solves every flow linked to it through a shared link at each start
// and end: with every client message crossing the clients' access link, that cost grows with the
// square of the messages in flight (a full-rate Dropbox cell ran 10x slower than with this path).
//
// A message of at most `platform.small_message` bytes is charged the alone figure, read from the
// links' current latency and bandwidth (so degraded links count), as a sleep -- when every link
// of its route has the spare capacity for that rate, as max-min sharing would then give it.
// Where the flows on a link (a batch job's shuffle, uploads) leave less, the message becomes a
// SimGrid flow and shares the link exactly. What is given up: small messages do not take
// bandwidth from the flows they meet, nor from each other. That is right while they use a small
// share of each link; the bytes they put on every link are counted, and the run reports the
// busiest link's share, so that a run where the approximation is wrong says so
// (docs/network-model.md).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <simgrid/s4u.hpp>

namespace archsim {
namespace sg4 = simgrid::s4u;

class SmallMessagePath {
public:
  // `threshold` in bytes (0: none is small); `tcp_gamma` as SimGrid's network/TCP-gamma.
  SmallMessagePath(double threshold, double tcp_gamma);

  bool takes(double bytes) const { return bytes <= threshold_; }
  // The message's delay alone on its route, counted against each link it crosses; nullopt when
  // some link lacks the spare capacity for it (send it as a flow).
  std::optional<double> delay(const sg4::Host* from, const sg4::Host* to, double bytes);

  struct Usage {
    uint64_t messages = 0;  // sent on this path
    double bytes      = 0;
    uint64_t as_flows = 0;  // small, but sent as flows: a link on their route was busy
    std::string busiest_link;  // the link whose capacity small messages used most of
    double busiest_share = 0;  // its small-message bytes / (bandwidth x `elapsed`)
  };
  Usage usage(double elapsed) const;

private:
  struct Route {
    std::vector<sg4::Link*> links;
    std::vector<size_t> counters;  // index into bytes_on_ per link
  };
  const Route& route(const sg4::Host* from, const sg4::Host* to);

  double threshold_;
  double tcp_gamma_;
  std::map<std::pair<const sg4::Host*, const sg4::Host*>, Route> routes_;
  std::unordered_map<const sg4::Link*, size_t> link_index_;
  std::vector<const sg4::Link*> links_;
  std::vector<double> bytes_on_;
  uint64_t messages_ = 0;
  double bytes_      = 0;
  uint64_t as_flows_ = 0;
};

}  // namespace archsim
