#include "sim/engine/small_messages.h"

#include <algorithm>
#include <limits>

namespace archsim {

SmallMessagePath::SmallMessagePath(double threshold, double tcp_gamma)
    : threshold_(threshold)
    , tcp_gamma_(tcp_gamma)
{
}

const SmallMessagePath::Route& SmallMessagePath::route(const sg4::Host* from, const sg4::Host* to)
{
  auto [it, fresh] = routes_.try_emplace({from, to});
  if (fresh) {
    double latency = 0;
    from->route_to(to, it->second.links, &latency);
    for (const sg4::Link* l : it->second.links) {
      auto [at, added] = link_index_.try_emplace(l, links_.size());
      if (added) {
        links_.push_back(l);
        bytes_on_.push_back(0);
      }
      it->second.counters.push_back(at->second);
    }
  }
  return it->second;
}

std::optional<double> SmallMessagePath::delay(const sg4::Host* from, const sg4::Host* to, double bytes)
{
  const Route& r   = route(from, to);
  double latency   = 0;
  double bandwidth = std::numeric_limits<double>::infinity();
  for (const sg4::Link* l : r.links) {
    latency += l->get_latency();
    bandwidth = std::min(bandwidth, l->get_bandwidth());
  }
  // CM02's rate for a flow alone: its route's bottleneck, capped by the TCP window over the
  // round trip (NetworkCm02Model::communicate bounds the flow's variable the same way).
  double rate = latency > 0 ? std::min(bandwidth, tcp_gamma_ / (2 * latency)) : bandwidth;
  // Max-min gives a new flow its own bound wherever the flows already there leave that much.
  for (const sg4::Link* l : r.links)
    if (l->is_used() && l->get_usage() + rate > l->get_bandwidth()) {
      ++as_flows_;
      return std::nullopt;
    }
  for (size_t c : r.counters)
    bytes_on_[c] += bytes;
  ++messages_;
  bytes_ += bytes;
  return latency + (bytes > 0 ? bytes / rate : 0);
}

SmallMessagePath::Usage SmallMessagePath::usage(double elapsed) const
{
  Usage u;
  u.messages = messages_;
  u.bytes    = bytes_;
  u.as_flows = as_flows_;
  if (elapsed <= 0)
    return u;
  for (size_t i = 0; i < links_.size(); ++i) {
    double share = bytes_on_[i] / (links_[i]->get_bandwidth() * elapsed);
    if (share > u.busiest_share) {
      u.busiest_share = share;
      u.busiest_link  = links_[i]->get_name();
    }
  }
  return u;
}

}  // namespace archsim
