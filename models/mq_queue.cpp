#include "models/mq_queue.h"

#include <algorithm>

namespace archsim {

MqQueue::MqQueue(const MqQueueConfig& config, size_t consumers)
    : config_(config), ready_(static_cast<size_t>(config.max_priority) + 1), window_(consumers, 0)
{
}

MqQueue::Published MqQueue::publish(MqMessage m, double now)
{
  Published out;
  m.priority = std::min(m.priority, config_.max_priority);  // above x-max-priority counts as the top
  m.owner    = -1;
  if (m.due > now) {
    m.state = MqState::Delayed;
    delayed_.push({m.due, m.id});
    messages_.emplace(m.id, m);
    return out;
  }
  if (config_.max_length > 0 && ready_count_ >= config_.max_length) {
    if (config_.overflow == MqOverflow::RejectPublish) {
      out.accepted = false;
      return out;
    }
    out.dropped = drop_oldest();
  }
  messages_.emplace(m.id, m);
  make_ready(m.id, false);
  return out;
}

void MqQueue::make_ready(uint64_t id, bool at_head)
{
  MqMessage& m = messages_.at(id);
  m.state      = MqState::Ready;
  auto& level  = ready_[m.priority];
  if (at_head)
    level.push_front(id);
  else
    level.push_back(id);
  ++ready_count_;
}

std::optional<uint64_t> MqQueue::pop_ready()
{
  for (size_t p = ready_.size(); p-- > 0;)
    if (!ready_[p].empty()) {
      uint64_t id = ready_[p].front();
      ready_[p].pop_front();
      --ready_count_;
      return id;
    }
  return std::nullopt;
}

// Overflow drop-head: the oldest message of the lowest non-empty level leaves, dead-lettered.
std::optional<uint64_t> MqQueue::drop_oldest()
{
  for (auto& level : ready_)
    if (!level.empty()) {
      uint64_t id = level.front();
      level.pop_front();
      --ready_count_;
      dead_.emplace(id, messages_.at(id));
      messages_.erase(id);
      return id;
    }
  return std::nullopt;
}

size_t MqQueue::promote_due(double now)
{
  size_t n = 0;
  while (!delayed_.empty() && delayed_.top().due <= now) {
    uint64_t id = delayed_.top().id;
    delayed_.pop();
    auto it = messages_.find(id);
    if (it == messages_.end() || it->second.state != MqState::Delayed)
      continue;
    make_ready(id, false);
    ++n;
  }
  return n;
}

std::optional<double> MqQueue::next_due() const
{
  if (delayed_.empty())
    return std::nullopt;
  return delayed_.top().due;
}

std::vector<MqQueue::Delivery> MqQueue::dispatch(const std::vector<bool>& consumer_up, double now)
{
  std::vector<Delivery> out;
  size_t n = window_.size();
  while (ready_count_ > 0 && n > 0) {
    size_t chosen = n;
    for (size_t k = 0; k < n; ++k) {
      size_t c = (next_consumer_ + k) % n;
      if (consumer_up[c] && (config_.prefetch == 0 || window_[c] < config_.prefetch)) {
        chosen = c;
        break;
      }
    }
    if (chosen == n)
      break;
    uint64_t id  = *pop_ready();
    MqMessage& m = messages_.at(id);
    m.state      = MqState::Unacked;
    m.owner      = static_cast<int>(chosen);
    m.sent_at    = now;
    ++m.deliveries;
    ++window_[chosen];
    ++unacked_count_;
    next_consumer_ = (chosen + 1) % n;
    out.push_back({id, static_cast<int>(chosen)});
  }
  return out;
}

std::optional<MqMessage> MqQueue::get()
{
  auto id = pop_ready();
  if (!id)
    return std::nullopt;
  MqMessage m = messages_.at(*id);
  messages_.erase(*id);
  ++m.deliveries;
  return m;
}

bool MqQueue::ack(uint64_t id, int consumer)
{
  auto it = messages_.find(id);
  if (it == messages_.end() || it->second.state != MqState::Unacked || it->second.owner != consumer)
    return false;
  --window_[static_cast<size_t>(consumer)];
  --unacked_count_;
  messages_.erase(it);
  return true;
}

bool MqQueue::return_message(MqMessage& m, double now, double retry_delay, Returned* how)
{
  --window_[static_cast<size_t>(m.owner)];
  --unacked_count_;
  m.owner = -1;
  if (config_.max_deliveries > 0 && m.deliveries >= config_.max_deliveries) {
    *how = Returned::DeadLettered;
    dead_.emplace(m.id, m);
    messages_.erase(m.id);
    return false;
  }
  if (retry_delay > 0) {
    *how    = Returned::Delayed;
    m.state = MqState::Delayed;
    m.due   = now + retry_delay;
    delayed_.push({m.due, m.id});
    return true;
  }
  *how = Returned::Requeued;
  make_ready(m.id, true);
  return true;
}

MqQueue::Returned MqQueue::nack(uint64_t id, int consumer, double now, double retry_delay)
{
  auto it = messages_.find(id);
  if (it == messages_.end() || it->second.state != MqState::Unacked || it->second.owner != consumer)
    return Returned::Stale;
  Returned how = Returned::Stale;
  return_message(it->second, now, retry_delay, &how);
  return how;
}

std::vector<uint64_t> MqQueue::consumer_lost(int consumer, double now)
{
  // Back in id order (publish order), each to the head of its level: the oldest ends up first.
  std::vector<uint64_t> held;
  for (const auto& [id, m] : messages_)
    if (m.state == MqState::Unacked && m.owner == consumer)
      held.push_back(id);
  std::sort(held.begin(), held.end(), std::greater<uint64_t>());
  std::vector<uint64_t> dead;
  for (uint64_t id : held) {
    Returned how = Returned::Stale;
    return_message(messages_.at(id), now, 0, &how);
    if (how == Returned::DeadLettered)
      dead.push_back(id);
  }
  return dead;
}

size_t MqQueue::crash(double)
{
  size_t lost = 0;
  std::vector<std::deque<uint64_t>> ready(ready_.size());
  std::vector<uint64_t> returned;
  for (auto& level : ready_)
    for (uint64_t id : level)
      if (messages_.at(id).durable)
        ready[messages_.at(id).priority].push_back(id);
  decltype(delayed_) delayed;
  for (auto it = messages_.begin(); it != messages_.end();) {
    MqMessage& m = it->second;
    if (!m.durable) {
      ++lost;
      it = messages_.erase(it);
      continue;
    }
    if (m.state == MqState::Unacked) {
      m.state = MqState::Ready;
      m.owner = -1;
      returned.push_back(m.id);
    } else if (m.state == MqState::Delayed) {
      delayed.push({m.due, m.id});
    }
    ++it;
  }
  std::sort(returned.begin(), returned.end(), std::greater<uint64_t>());
  for (uint64_t id : returned)
    ready[messages_.at(id).priority].push_front(id);
  ready_       = std::move(ready);
  delayed_     = std::move(delayed);
  ready_count_ = 0;
  for (const auto& level : ready_)
    ready_count_ += level.size();
  std::fill(window_.begin(), window_.end(), 0);
  unacked_count_ = 0;
  return lost;
}

void MqQueue::mark_durable(uint64_t id)
{
  auto it = messages_.find(id);
  if (it != messages_.end())
    it->second.durable = true;
}

const MqMessage* MqQueue::find(uint64_t id) const
{
  auto it = messages_.find(id);
  return it == messages_.end() ? nullptr : &it->second;
}

std::optional<MqMessage> MqQueue::take_dead(uint64_t id)
{
  auto it = dead_.find(id);
  if (it == dead_.end())
    return std::nullopt;
  MqMessage m = it->second;
  dead_.erase(it);
  return m;
}

}  // namespace archsim
