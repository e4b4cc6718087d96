#include "models/coordination_state.h"

#include <algorithm>

namespace archsim {

std::optional<size_t> choose_leader(const std::vector<bool>& up, const std::vector<uint64_t>& logged)
{
  size_t count = static_cast<size_t>(std::count(up.begin(), up.end(), true));
  if (count < majority(up.size()))
    return std::nullopt;
  std::optional<size_t> best;
  for (size_t n = 0; n < up.size(); ++n)
    if (up[n] && (!best || logged[n] > logged[*best]))
      best = n;
  return best;
}

namespace {
constexpr size_t kHistory = 64;  // changes kept per path for lagging views
}

ZnodeView ZnodeStore::current(uint64_t path) const
{
  auto it = nodes_.find(path);
  return it == nodes_.end() ? ZnodeView{} : it->second.now;
}

ZnodeView ZnodeStore::view(uint64_t path, uint64_t applied) const
{
  auto it = nodes_.find(path);
  if (it == nodes_.end())
    return {};
  const auto& h = it->second.history;
  // The latest change at or before `applied`; before the oldest one kept, the path did not
  // exist (or the view is older than the history reaches, which lagging nodes never are).
  ZnodeView v;
  for (auto r = h.rbegin(); r != h.rend(); ++r)
    if (r->first <= applied)
      return r->second;
  return v;
}

uint64_t ZnodeStore::owner(uint64_t path) const
{
  auto it = nodes_.find(path);
  return it == nodes_.end() || !it->second.now.exists ? 0 : it->second.owner;
}

double ZnodeStore::bytes(uint64_t path) const
{
  auto it = nodes_.find(path);
  return it == nodes_.end() ? 0 : it->second.bytes;
}

void ZnodeStore::record(Node& n, uint64_t zxid)
{
  n.history.emplace_back(zxid, n.now);
  while (n.history.size() > kHistory)
    n.history.pop_front();
}

void ZnodeStore::create(uint64_t path, uint64_t zxid, uint64_t owner, double bytes)
{
  Node& n = nodes_[path];
  if (!n.now.exists)
    ++live_;
  n.now.exists = true;
  ++n.now.version;
  if (n.owner != 0)
    by_owner_[n.owner].erase(path);
  n.owner = owner;
  n.bytes = bytes;
  if (owner != 0)
    by_owner_[owner].insert(path);
  record(n, zxid);
}

void ZnodeStore::set(uint64_t path, uint64_t zxid, double bytes)
{
  Node& n = nodes_[path];
  ++n.now.version;
  n.bytes = bytes;
  record(n, zxid);
}

void ZnodeStore::remove(uint64_t path, uint64_t zxid)
{
  auto it = nodes_.find(path);
  if (it == nodes_.end() || !it->second.now.exists)
    return;
  Node& n = it->second;
  --live_;
  n.now.exists = false;
  ++n.now.version;
  if (n.owner != 0) {
    by_owner_[n.owner].erase(path);
    n.owner = 0;
  }
  record(n, zxid);
}

std::vector<uint64_t> ZnodeStore::ephemerals(uint64_t session) const
{
  auto it = by_owner_.find(session);
  if (it == by_owner_.end())
    return {};
  return {it->second.begin(), it->second.end()};
}

bool SessionTable::touch(uint64_t session, double now, double sent)
{
  Session& s = sessions_[session];
  if (s.expired) {
    // The client learns that its session is gone and opens a new one (same client, fresh start).
    s = Session{now, sent + timeout_, false};
    return false;
  }
  s.last_heard = std::max(s.last_heard, now);
  s.belief     = std::max(s.belief, sent + timeout_);
  return true;
}

bool SessionTable::expired(uint64_t session) const
{
  auto it = sessions_.find(session);
  return it != sessions_.end() && it->second.expired;
}

double SessionTable::deadline(uint64_t session) const
{
  auto it = sessions_.find(session);
  return it == sessions_.end() ? 0 : it->second.last_heard + timeout_;
}

double SessionTable::belief(uint64_t session) const
{
  auto it = sessions_.find(session);
  return it == sessions_.end() ? 0 : it->second.belief;
}

void SessionTable::expire(uint64_t session)
{
  auto it = sessions_.find(session);
  if (it != sessions_.end())
    it->second.expired = true;
}

void SessionTable::reset_all(double now)
{
  for (auto& [id, s] : sessions_)
    if (!s.expired)
      s.last_heard = std::max(s.last_heard, now);
}

std::vector<uint64_t> SessionTable::live() const
{
  std::vector<uint64_t> out;
  for (const auto& [id, s] : sessions_)
    if (!s.expired)
      out.push_back(id);
  return out;
}

LockTable::Try LockTable::try_acquire(uint64_t lock, uint64_t session)
{
  Lock& l = locks_[lock];
  if (l.holder == session)
    return Try::AlreadyHeld;
  if (l.holder != 0)
    return Try::Busy;
  l.holder = session;
  by_session_[session].insert(lock);
  return Try::Acquired;
}

void LockTable::wait(uint64_t lock, uint64_t session)
{
  Lock& l = locks_[lock];
  if (l.holder == session || std::find(l.waiters.begin(), l.waiters.end(), session) != l.waiters.end())
    return;
  l.waiters.push_back(session);
  by_session_[session].insert(lock);
}

void LockTable::stop_waiting(uint64_t lock, uint64_t session)
{
  auto it = locks_.find(lock);
  if (it == locks_.end())
    return;
  auto& w = it->second.waiters;
  auto pos = std::find(w.begin(), w.end(), session);
  if (pos == w.end())
    return;
  w.erase(pos);
  if (it->second.holder != session)
    by_session_[session].erase(lock);
}

uint64_t LockTable::release(uint64_t lock, uint64_t session)
{
  auto it = locks_.find(lock);
  if (it == locks_.end() || it->second.holder != session || session == 0)
    return 0;
  Lock& l = it->second;
  by_session_[session].erase(lock);
  l.holder = 0;
  if (!l.waiters.empty()) {
    l.holder = l.waiters.front();
    l.waiters.pop_front();
  }
  return l.holder;
}

std::vector<std::pair<uint64_t, uint64_t>> LockTable::release_all(uint64_t session)
{
  std::vector<std::pair<uint64_t, uint64_t>> out;
  auto it = by_session_.find(session);
  if (it == by_session_.end())
    return out;
  std::vector<uint64_t> locks(it->second.begin(), it->second.end());
  for (uint64_t lock : locks) {
    if (holder(lock) == session)
      out.emplace_back(lock, release(lock, session));
    else
      stop_waiting(lock, session);
  }
  by_session_.erase(session);
  return out;
}

uint64_t LockTable::holder(uint64_t lock) const
{
  auto it = locks_.find(lock);
  return it == locks_.end() ? 0 : it->second.holder;
}

bool LockTable::holds_any(uint64_t session) const
{
  auto it = by_session_.find(session);
  return it != by_session_.end() && !it->second.empty();
}

size_t LockTable::waiting(uint64_t lock) const
{
  auto it = locks_.find(lock);
  return it == locks_.end() ? 0 : it->second.waiters.size();
}

void HolderLog::acquired(uint64_t lock, uint64_t session, double at)
{
  open_[{lock, session}] = at;
  ++acquisitions_;
}

void HolderLog::ended(uint64_t lock, uint64_t session, double end)
{
  auto it = open_.find({lock, session});
  if (it == open_.end())
    return;
  closed_[lock].push_back({it->second, std::max(it->second, end)});
  open_.erase(it);
}

size_t HolderLog::max_overlap(double now, const SessionTable& sessions) const
{
  std::map<uint64_t, std::vector<Interval>> all = closed_;
  for (const auto& [key, start] : open_)
    all[key.first].push_back({start, std::max(start, std::min(now, sessions.belief(key.second)))});
  size_t best = 0;
  for (const auto& [lock, intervals] : all) {
    // Sweep: an end at the same instant as a start does not overlap it (half-open intervals).
    std::vector<std::pair<double, int>> events;
    for (const auto& i : intervals)
      if (i.end > i.start) {
        events.emplace_back(i.start, +1);
        events.emplace_back(i.end, -1);
      } else {
        events.emplace_back(i.start, 0);  // acquired and lost at once: still one holder
      }
    std::sort(events.begin(), events.end());
    int cur = 0;
    for (const auto& [t, d] : events) {
      cur += d;
      best = std::max(best, static_cast<size_t>(std::max(cur, d == 0 ? cur + 1 : cur)));
    }
  }
  return best;
}

}  // namespace archsim
