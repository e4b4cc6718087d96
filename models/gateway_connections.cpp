#include "models/gateway_connections.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace archsim {

GatewayTable::GatewayTable(size_t hosts, size_t loops, double memory_per_connection, double host_memory)
    : hosts_(hosts)
    , loops_(loops)
    , capacity_(memory_per_connection > 0 ? static_cast<size_t>(std::floor(host_memory / memory_per_connection))
                                          : std::numeric_limits<size_t>::max())
    , slots_(hosts * loops)
    , held_(hosts, 0)
    , live_(hosts, 0)
    , live_loop_(hosts * loops, 0)
    , next_loop_(hosts, 0)
{
}

const GatewayConn* GatewayTable::find(uint64_t id) const
{
  auto it = conns_.find(id);
  return it == conns_.end() ? nullptr : &it->second;
}

const GatewayTable::Slot* GatewayTable::find_slot(size_t host, size_t loop, uint64_t channel) const
{
  const auto& m = slots_[host * loops_ + loop];
  auto it       = m.find(channel);
  return it == m.end() ? nullptr : &it->second;
}

void GatewayTable::count_live(const GatewayConn& c, int delta)
{
  Slot& s = slot(c.host, c.loop, c.channel);
  s.live  = static_cast<uint32_t>(static_cast<int64_t>(s.live) + delta);
  auto& per_host = per_host_[c.channel];
  if (per_host.empty())
    per_host.assign(hosts_, 0);
  per_host[c.host] = static_cast<uint32_t>(static_cast<int64_t>(per_host[c.host]) + delta);
  live_[c.host]    = static_cast<size_t>(static_cast<int64_t>(live_[c.host]) + delta);
  size_t& on_loop  = live_loop_[c.host * loops_ + c.loop];
  on_loop          = static_cast<size_t>(static_cast<int64_t>(on_loop) + delta);
}

bool GatewayTable::attach(uint64_t id, uint64_t channel, size_t host, double expires, size_t& loop)
{
  if (!fits(host))
    return false;
  auto it = conns_.find(id);
  if (it != conns_.end() && it->second.state != ConnState::Away)
    return false;
  if (it == conns_.end()) {
    it = conns_.emplace(id, GatewayConn{}).first;
    it->second.channel = channel;
    it->second.expires = expires;
  } else {
    --away_;
  }
  GatewayConn& c = it->second;
  c.host         = host;
  c.loop         = next_loop_[host]++ % loops_;
  c.state        = ConnState::Connecting;
  ++held_[host];
  loop = c.loop;
  return true;
}

void GatewayTable::go_live(uint64_t id)
{
  auto it = conns_.find(id);
  if (it == conns_.end() || it->second.state != ConnState::Connecting)
    return;
  it->second.state    = ConnState::Live;
  it->second.resuming = false;
  it->second.seen     = last_published(it->second.channel);  // what came before it is not missed
  count_live(it->second, +1);
}

bool GatewayTable::remove(uint64_t id)
{
  auto it = conns_.find(id);
  if (it == conns_.end())
    return false;
  GatewayConn& c = it->second;
  if (c.state == ConnState::Live)
    count_live(c, -1);
  if (c.state == ConnState::Away)
    --away_;
  else
    --held_[c.host];
  conns_.erase(it);
  return true;
}

unsigned GatewayTable::failed_attempt(uint64_t id)
{
  auto it = conns_.find(id);
  return it == conns_.end() ? 0 : ++it->second.attempts;
}

std::vector<uint64_t> GatewayTable::drop_host(size_t host, double now)
{
  std::vector<uint64_t> dropped;
  for (auto& [id, c] : conns_) {
    if (c.state == ConnState::Away || c.host != host)
      continue;
    if (c.state == ConnState::Live) {
      // The last message its loop wrote to the channel, unless it joined after that one.
      const Slot* s = find_slot(c.host, c.loop, c.channel);
      c.seen        = std::max(c.seen, s ? s->delivered : 0);
      count_live(c, -1);
    } else if (!c.resuming) {
      c.seen = last_published(c.channel);  // a new connection had received nothing: nothing old is missed
    }
    --held_[host];
    c.state      = ConnState::Away;
    c.away_since = now;
    c.attempts   = 0;
    c.resuming   = true;
    ++away_;
    dropped.push_back(id);
  }
  return dropped;
}

uint32_t GatewayTable::viewers(size_t host, size_t loop, uint64_t channel) const
{
  const Slot* s = find_slot(host, loop, channel);
  return s ? s->live : 0;
}

uint32_t GatewayTable::viewers(size_t host, uint64_t channel) const
{
  auto it = per_host_.find(channel);
  return it == per_host_.end() ? 0 : it->second[host];
}

std::vector<size_t> GatewayTable::hosts_with(uint64_t channel) const
{
  std::vector<size_t> out;
  auto it = per_host_.find(channel);
  if (it == per_host_.end())
    return out;
  for (size_t h = 0; h < hosts_; ++h)
    if (it->second[h] > 0)
      out.push_back(h);
  return out;
}

uint64_t GatewayTable::publish(uint64_t channel) { return ++seq_[channel]; }

uint64_t GatewayTable::last_published(uint64_t channel) const
{
  auto it = seq_.find(channel);
  return it == seq_.end() ? 0 : it->second;
}

void GatewayTable::written(size_t host, size_t loop, uint64_t channel, uint64_t seq)
{
  Slot& s = slot(host, loop, channel);
  if (seq > s.delivered)
    s.delivered = seq;
}

void ReplayLog::add(uint64_t channel, uint64_t seq, double published)
{
  if (capacity_ == 0)
    return;
  auto& q = log_[channel];
  q.emplace_back(seq, published);
  while (q.size() > capacity_)
    q.pop_front();
}

std::vector<double> ReplayLog::since(uint64_t channel, uint64_t seen, uint64_t last, uint64_t& lost) const
{
  std::vector<double> out;
  lost = last > seen ? last - seen : 0;
  auto it = log_.find(channel);
  if (it == log_.end())
    return out;
  for (const auto& [seq, t] : it->second)
    if (seq > seen && seq <= last) {
      out.push_back(t);
      --lost;
    }
  return out;
}

}  // namespace archsim
