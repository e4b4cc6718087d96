#include "models/redis_types.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "sim/core/hash_ring.h"

namespace archsim {

namespace {
constexpr double kLn2 = 0.69314718055994530942;

double unit_of(uint64_t h) { return (static_cast<double>(h >> 11) + 0.5) / 9007199254740992.0; }

uint64_t bits_of(double x)
{
  uint64_t b = 0;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

// Spreads the low 26 bits of v to the even bit positions.
uint64_t spread(uint64_t v)
{
  uint64_t out = 0;
  for (unsigned i = 0; i < 26; ++i)
    out |= ((v >> i) & 1ULL) << (2 * i);
  return out;
}
}  // namespace

// ---- SortedSet -------------------------------------------------------------------------------

void SortedSet::pull(int32_t t)
{
  Node& n = node(t);
  n.size  = 1 + size_of(n.left) + size_of(n.right);
}

void SortedSet::split(int32_t t, double score, uint64_t member, int32_t& left, int32_t& right)
{
  if (t < 0) {
    left = right = -1;
    return;
  }
  if (less(node(t).score, node(t).member, score, member)) {
    split(node(t).right, score, member, node(t).right, right);
    left = t;
  } else {
    split(node(t).left, score, member, left, node(t).left);
    right = t;
  }
  pull(t);
}

int32_t SortedSet::merge(int32_t a, int32_t b)
{
  if (a < 0)
    return b;
  if (b < 0)
    return a;
  if (node(a).priority > node(b).priority) {
    int32_t r     = merge(node(a).right, b);
    node(a).right = r;
    pull(a);
    return a;
  }
  int32_t l    = merge(a, node(b).left);
  node(b).left = l;
  pull(b);
  return b;
}

int32_t SortedSet::erase(int32_t t, double score, uint64_t member)
{
  if (t < 0)
    return t;
  if (node(t).score == score && node(t).member == member) {
    int32_t merged = merge(node(t).left, node(t).right);
    free_.push_back(t);
    return merged;
  }
  if (less(score, member, node(t).score, node(t).member)) {
    int32_t l    = erase(node(t).left, score, member);
    node(t).left = l;
  } else {
    int32_t r     = erase(node(t).right, score, member);
    node(t).right = r;
  }
  pull(t);
  return t;
}

void SortedSet::insert(uint64_t member, double score)
{
  seed_ += 0x9e3779b97f4a7c15ULL;
  Node fresh{score, member, mix64(seed_)};
  int32_t n;
  if (!free_.empty()) {
    n = free_.back();
    free_.pop_back();
    node(n) = fresh;
  } else {
    nodes_.push_back(fresh);
    n = static_cast<int32_t>(nodes_.size() - 1);
  }
  int32_t l = -1, r = -1;
  split(root_, score, member, l, r);
  root_ = merge(merge(l, n), r);
}

bool SortedSet::add(uint64_t member, double score)
{
  auto it = scores_.find(member);
  if (it != scores_.end()) {
    if (it->second != score) {
      root_      = erase(root_, it->second, member);
      it->second = score;
      insert(member, score);
    }
    return false;
  }
  scores_.emplace(member, score);
  insert(member, score);
  return true;
}

double SortedSet::incr(uint64_t member, double by)
{
  auto it      = scores_.find(member);
  double score = (it == scores_.end() ? 0 : it->second) + by;
  add(member, score);
  return score;
}

bool SortedSet::remove(uint64_t member)
{
  auto it = scores_.find(member);
  if (it == scores_.end())
    return false;
  root_ = erase(root_, it->second, member);
  scores_.erase(it);
  return true;
}

std::optional<double> SortedSet::score(uint64_t member) const
{
  auto it = scores_.find(member);
  if (it == scores_.end())
    return std::nullopt;
  return it->second;
}

size_t SortedSet::count_less(double score, uint64_t member) const
{
  size_t c  = 0;
  int32_t t = root_;
  while (t >= 0) {
    const Node& n = node(t);
    if (less(n.score, n.member, score, member)) {
      c += size_of(n.left) + 1;
      t = n.right;
    } else {
      t = n.left;
    }
  }
  return c;
}

std::optional<size_t> SortedSet::rank(uint64_t member, bool rev) const
{
  auto s = score(member);
  if (!s)
    return std::nullopt;
  size_t asc = count_less(*s, member);
  return rev ? size() - 1 - asc : asc;
}

void SortedSet::collect(int32_t t, size_t from, size_t to, std::vector<std::pair<uint64_t, double>>& out) const
{
  // Ranks [from, to) of the subtree at t, in order; subtrees outside the range are skipped.
  if (t < 0 || from >= to)
    return;
  const Node& n = node(t);
  size_t ls     = size_of(n.left);
  if (from < ls)
    collect(n.left, from, std::min(to, ls), out);
  if (from <= ls && ls < to)
    out.emplace_back(n.member, n.score);
  if (to > ls + 1)
    collect(n.right, from > ls + 1 ? from - ls - 1 : 0, to - ls - 1, out);
}

std::vector<std::pair<uint64_t, double>> SortedSet::range(size_t start, size_t count, bool rev) const
{
  std::vector<std::pair<uint64_t, double>> out;
  size_t n = size();
  if (start >= n || count == 0)
    return out;
  size_t len  = std::min(count, n - start);
  size_t from = rev ? n - start - len : start;
  out.reserve(len);
  collect(root_, from, from + len, out);
  if (rev)
    std::reverse(out.begin(), out.end());
  return out;
}

size_t SortedSet::count_below(double bound) const { return count_less(bound, 0); }

void SortedSet::release(int32_t t)
{
  std::vector<int32_t> stack;
  if (t >= 0)
    stack.push_back(t);
  while (!stack.empty()) {
    int32_t x = stack.back();
    stack.pop_back();
    scores_.erase(node(x).member);
    if (node(x).left >= 0)
      stack.push_back(node(x).left);
    if (node(x).right >= 0)
      stack.push_back(node(x).right);
    free_.push_back(x);
  }
}

size_t SortedSet::remove_below(double bound)
{
  int32_t l = -1, r = -1;
  split(root_, bound, 0, l, r);
  root_          = r;
  size_t removed = size_of(l);
  release(l);
  return removed;
}

double SortedSet::levels() const { return std::log2(static_cast<double>(size()) + 1); }

// ---- GeoSet ----------------------------------------------------------------------------------

GeoSet::Point GeoSet::home(uint64_t member, double side)
{
  uint64_t hx = mix64(member + 0x67656f2d78ULL);
  return {side * unit_of(hx), side * unit_of(mix64(hx))};
}

uint64_t GeoSet::geohash(Point p, double side)
{
  constexpr double cells = 67108864.0;  // 2^26 per axis
  auto q = [&](double v) {
    double c = std::floor(v / side * cells);
    return static_cast<uint64_t>(std::clamp(c, 0.0, cells - 1));
  };
  return (spread(q(p.x)) << 1) | spread(q(p.y));
}

unsigned GeoSet::step_for(double radius_km, double side)
{
  // The finest precision whose cells are still at least `radius` wide.
  if (radius_km <= 0)
    return 26;
  double s = std::floor(std::log2(side / radius_km));
  return static_cast<unsigned>(std::clamp(s, 0.0, 26.0));
}

bool GeoSet::add(uint64_t member, Point p)
{
  p.x           = std::clamp(p.x, 0.0, std::nextafter(side_, 0.0));
  p.y           = std::clamp(p.y, 0.0, std::nextafter(side_, 0.0));
  bool fresh    = index_.add(member, static_cast<double>(geohash(p, side_)));
  points_[member] = p;
  return fresh;
}

std::optional<GeoSet::Point> GeoSet::position(uint64_t member) const
{
  auto it = points_.find(member);
  if (it == points_.end())
    return std::nullopt;
  return it->second;
}

GeoSet::Search GeoSet::radius(Point centre, double radius_km, size_t count) const
{
  Search s;
  unsigned step  = step_for(radius_km, side_);
  auto per_axis  = static_cast<int64_t>(1ULL << step);
  auto cell_of   = [&](double v) {
    auto c = static_cast<int64_t>(std::floor(v / side_ * static_cast<double>(per_axis)));
    return std::clamp<int64_t>(c, 0, per_axis - 1);
  };
  int64_t cx = cell_of(centre.x), cy = cell_of(centre.y);
  unsigned shift = 52 - 2 * step;
  std::vector<std::pair<double, uint64_t>> found;  // (distance, member)
  for (int64_t dx = -1; dx <= 1; ++dx)
    for (int64_t dy = -1; dy <= 1; ++dy) {
      int64_t nx = cx + dx, ny = cy + dy;
      if (nx < 0 || ny < 0 || nx >= per_axis || ny >= per_axis)
        continue;
      uint64_t prefix = (spread(static_cast<uint64_t>(nx)) << 1) | spread(static_cast<uint64_t>(ny));
      double lo       = static_cast<double>(prefix << shift);
      double hi       = static_cast<double>((prefix + 1) << shift);
      size_t a = index_.count_below(lo), b = index_.count_below(hi);
      s.cells += 1;
      s.levels += 2 * index_.levels();
      for (const auto& [member, score] : index_.range(a, b - a)) {
        (void)score;
        s.examined += 1;
        const Point& p = points_.at(member);
        double d       = std::hypot(p.x - centre.x, p.y - centre.y);
        if (d <= radius_km)
          found.emplace_back(d, member);
      }
    }
  std::sort(found.begin(), found.end());
  if (count > 0 && found.size() > count)
    found.resize(count);
  s.members.reserve(found.size());
  for (const auto& f : found)
    s.members.push_back(f.second);
  return s;
}

// ---- Bitmap ----------------------------------------------------------------------------------

bool Bitmap::set(uint64_t offset, bool bit)
{
  size_t word = offset / 64;
  if (words_.size() <= word)
    words_.resize(word + 1, 0);
  uint64_t mask = 1ULL << (offset % 64);
  bool old      = (words_[word] & mask) != 0;
  if (bit)
    words_[word] |= mask;
  else
    words_[word] &= ~mask;
  length_ = length_after_set(offset);
  return old;
}

bool Bitmap::get(uint64_t offset) const
{
  size_t word = offset / 64;
  return word < words_.size() && (words_[word] >> (offset % 64) & 1ULL) != 0;
}

uint64_t Bitmap::count() const
{
  uint64_t n = 0;
  for (uint64_t w : words_)
    n += static_cast<uint64_t>(__builtin_popcountll(w));
  return n;
}

// ---- BloomFilter -----------------------------------------------------------------------------

BloomFilter::Layer BloomFilter::make_layer(uint64_t capacity, double error_rate)
{
  double bpe = -std::log(error_rate) / (kLn2 * kLn2);
  Layer l;
  l.capacity = std::max<uint64_t>(capacity, 1);
  l.m        = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(static_cast<double>(l.capacity) * bpe)));
  l.k        = std::max(1u, static_cast<unsigned>(std::ceil(kLn2 * bpe)));
  l.bits.assign((l.m + 63) / 64, 0);
  return l;
}

BloomFilter::BloomFilter(uint64_t capacity, double error_rate, unsigned expansion)
    : error_rate_(error_rate), expansion_(expansion)
{
  layers_.push_back(make_layer(capacity, error_rate));
}

namespace {
uint64_t probe(uint64_t item, unsigned i, uint64_t m)
{
  // Two hashes from one: xor-ing the item with two constants would pair items (x, x ^ c) whose
  // probe sequences share a bit.
  uint64_t h1 = mix64(item + 0x626c6f6f6d31ULL);
  uint64_t h2 = mix64(h1) | 1;
  return (h1 + i * h2) % m;
}
}  // namespace

bool BloomFilter::layer_has(const Layer& l, uint64_t item, size_t& probes) const
{
  for (unsigned i = 0; i < l.k; ++i) {
    ++probes;
    uint64_t b = probe(item, i, l.m);
    if ((l.bits[b / 64] >> (b % 64) & 1ULL) == 0)
      return false;
  }
  return true;
}

bool BloomFilter::check(uint64_t item, size_t& probes) const
{
  // Newest (largest) sub-filter first, as RedisBloom does.
  for (auto it = layers_.rbegin(); it != layers_.rend(); ++it)
    if (layer_has(*it, item, probes))
      return true;
  return false;
}

BloomFilter::Add BloomFilter::add(uint64_t item, size_t& probes)
{
  if (check(item, probes))
    return Add::Exists;
  if (layers_.back().count >= layers_.back().capacity) {
    if (expansion_ == 0)
      return Add::Full;
    double tighter = error_rate_ * std::pow(0.5, static_cast<double>(layers_.size()));
    layers_.push_back(make_layer(layers_.back().capacity * expansion_, tighter));
  }
  Layer& l = layers_.back();
  for (unsigned i = 0; i < l.k; ++i) {
    ++probes;
    uint64_t b = probe(item, i, l.m);
    l.bits[b / 64] |= 1ULL << (b % 64);
  }
  ++l.count;
  return Add::Added;
}

double BloomFilter::bytes() const
{
  double b = 0;
  for (const auto& l : layers_)
    b += std::ceil(static_cast<double>(l.m) / 8);
  return b;
}

double BloomFilter::bytes_after_add(uint64_t item) const
{
  size_t probes = 0;
  const Layer& last = layers_.back();
  if (expansion_ == 0 || last.count < last.capacity || check(item, probes))
    return bytes();
  double tighter = error_rate_ * std::pow(0.5, static_cast<double>(layers_.size()));
  double bpe     = -std::log(tighter) / (kLn2 * kLn2);
  return bytes() + std::ceil(std::ceil(static_cast<double>(last.capacity * expansion_) * bpe) / 8);
}

double BloomFilter::fill(size_t layer) const
{
  uint64_t set = 0;
  for (uint64_t w : layers_[layer].bits)
    set += static_cast<uint64_t>(__builtin_popcountll(w));
  return static_cast<double>(set) / static_cast<double>(layers_[layer].m);
}

double BloomFilter::expected_fp(double n, double m, double k) { return std::pow(1 - std::exp(-k * n / m), k); }

// ---- CountMinSketch --------------------------------------------------------------------------

CountMinSketch::CountMinSketch(uint32_t width, uint32_t depth)
    : width_(std::max(width, 1u)), depth_(std::max(depth, 1u)), counters_(size_t{width_} * depth_, 0)
{
}

size_t CountMinSketch::cell(uint32_t row, uint64_t item) const
{
  return size_t{row} * width_ + static_cast<size_t>(mix64(mix64(item + 0x636d73ULL) + row) % width_);
}

uint64_t CountMinSketch::incr(uint64_t item, uint64_t by)
{
  uint64_t est = std::numeric_limits<uint64_t>::max();
  for (uint32_t r = 0; r < depth_; ++r) {
    uint32_t& c = counters_[cell(r, item)];
    c           = static_cast<uint32_t>(std::min<uint64_t>(uint64_t{c} + by, std::numeric_limits<uint32_t>::max()));
    est         = std::min<uint64_t>(est, c);
  }
  total_ += by;
  return est;
}

uint64_t CountMinSketch::query(uint64_t item) const
{
  uint64_t est = std::numeric_limits<uint64_t>::max();
  for (uint32_t r = 0; r < depth_; ++r)
    est = std::min<uint64_t>(est, counters_[cell(r, item)]);
  return est;
}

// ---- Rate limiters ---------------------------------------------------------------------------

bool TokenBucket::take(double now, double rate, double capacity)
{
  tokens = std::min(capacity, tokens + std::max(0.0, now - last) * rate);
  last   = now;
  if (tokens >= 1) {
    tokens -= 1;
    return true;
  }
  return false;
}

bool SlidingLog::take(double now, double window, uint64_t limit, size_t& trimmed)
{
  while (!times.empty() && times.front() <= now - window) {
    times.pop_front();
    ++trimmed;
  }
  if (times.size() >= limit)
    return false;
  times.push_back(now);
  return true;
}

bool FixedWindow::take(double now, double window_length, uint64_t limit)
{
  auto w = static_cast<int64_t>(std::floor(now / window_length));
  if (w != window) {
    window = w;
    count  = 0;
  }
  ++count;
  return count <= limit;
}

// ---- Costs -----------------------------------------------------------------------------------

double RedisCosts::of(const TypedResult& r) const
{
  return (r.read ? read : write) + r.levels * level + r.elements * element + r.payload * per_byte +
         r.scanned * per_byte / 4 + r.calls * call + (r.scripted ? script : 0);
}

double RedisCosts::publish(size_t subscribers, double bytes) const
{
  return write + bytes * per_byte + static_cast<double>(subscribers) * (element + delivery + bytes * per_byte);
}

// ---- RedisTypedStore -------------------------------------------------------------------------

RedisTypedStore::RedisTypedStore(Persistence persistence, Eviction policy, double geo_side, double fsync_period)
    : persistence_(persistence), policy_(policy), geo_side_(geo_side), fsync_period_(fsync_period)
{
}

RedisTypedStore::Entry* RedisTypedStore::lookup(uint64_t key, KeyCache& cache, double now, bool& string)
{
  string  = false;
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    string = cache.contains(key, now);
    return nullptr;
  }
  // Touch the key (recency, frequency); an evicted or expired key takes its structure with it.
  if (!cache.get(key, now)) {
    entries_.erase(it);
    return nullptr;
  }
  return &it->second;
}

bool RedisTypedStore::holds(uint64_t key, const KeyCache& cache, double now)
{
  auto it = entries_.find(key);
  if (it == entries_.end())
    return false;
  if (!cache.contains(key, now)) {
    entries_.erase(it);
    return false;
  }
  return true;
}

bool RedisTypedStore::fits(const Entry* e, double bytes, const KeyCache& cache) const
{
  if (bytes > cache.capacity_bytes())
    return false;
  double old = e ? e->bytes : 0;
  return policy_ != Eviction::NoEviction || bytes <= old ||
         cache.used_bytes() - old + bytes <= cache.capacity_bytes();
}

void RedisTypedStore::note_write(uint64_t key, double now)
{
  ++writes_since_start_;
  if (persistence_ != Persistence::AofEverysec)
    return;
  auto period = static_cast<int64_t>(std::floor(now / fsync_period_));
  if (period != journal_period_) {
    // The background fsync at the period's start made everything before it durable.
    journal_.clear();
    journal_period_  = period;
    unsynced_writes_ = 0;
  }
  ++unsynced_writes_;
  if (journal_.count(key))
    return;
  auto it = entries_.find(key);
  journal_.emplace(key, it == entries_.end() ? std::nullopt : std::optional<Entry>(it->second));
}

RedisTypedStore::Entry* RedisTypedStore::prepare(uint64_t key, Entry* e, double bytes, Value fresh,
                                                 const TypedCommand& cmd, KeyCache& cache, double now,
                                                 TypedResult& r)
{
  if (!fits(e, bytes, cache)) {
    r.status = TypedResult::Status::Oom;
    return nullptr;
  }
  note_write(key, now);
  if (!e)
    e = &entries_.insert_or_assign(key, Entry{std::move(fresh), 0, cmd.key_ttl > 0 ? now + cmd.key_ttl : 0})
             .first->second;
  double ttl = e->expires > 0 ? std::max(e->expires - now, 1e-9) : 0;
  cache.put(key, bytes, now, ttl);
  e->bytes = bytes;
  r.wrote  = true;
  return e;
}

void RedisTypedStore::set_ttl(uint64_t key, Entry& e, KeyCache& cache, double now, double ttl)
{
  e.expires = ttl > 0 ? now + ttl : 0;
  cache.expire(key, now, ttl);
}

void RedisTypedStore::remove(uint64_t key, KeyCache& cache)
{
  entries_.erase(key);
  cache.erase(key);
}

bool RedisTypedStore::drop(uint64_t key, KeyCache& cache, double now)
{
  if (!holds(key, cache, now))
    return false;
  note_write(key, now);
  remove(key, cache);
  return true;
}

bool RedisTypedStore::expire(uint64_t key, KeyCache& cache, double now, double ttl)
{
  if (!holds(key, cache, now))
    return false;
  note_write(key, now);
  set_ttl(key, entries_.at(key), cache, now, ttl);
  return true;
}

uint64_t RedisTypedStore::crash(KeyCache& cache, double now)
{
  uint64_t lost = 0;
  switch (persistence_) {
    case Persistence::None:
      lost = writes_since_start_;
      entries_.clear();
      break;
    case Persistence::AofEverysec:
      if (static_cast<int64_t>(std::floor(now / fsync_period_)) == journal_period_) {
        lost = unsynced_writes_;
        // Replaying the AOF rebuilds each key written since the last fsync as it was then.
        for (auto& [key, saved] : journal_) {
          if (saved && !(saved->expires > 0 && saved->expires <= now)) {
            cache.put(key, saved->bytes, now, saved->expires > 0 ? saved->expires - now : 0);
            entries_.insert_or_assign(key, std::move(*saved));
          } else {
            remove(key, cache);
          }
        }
      }
      journal_.clear();
      unsynced_writes_ = 0;
      break;
    case Persistence::AofAlways: break;
  }
  writes_since_start_ = 0;
  return lost;
}

const SortedSet* RedisTypedStore::zset(uint64_t key) const
{
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : std::get_if<SortedSet>(&it->second.value);
}

const GeoSet* RedisTypedStore::geo(uint64_t key) const
{
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : std::get_if<GeoSet>(&it->second.value);
}

const BloomFilter* RedisTypedStore::bloom(uint64_t key) const
{
  auto it = entries_.find(key);
  const Bloom* b = it == entries_.end() ? nullptr : std::get_if<Bloom>(&it->second.value);
  return b ? &b->filter : nullptr;
}

const CountMinSketch* RedisTypedStore::cms(uint64_t key) const
{
  auto it = entries_.find(key);
  const Cms* c = it == entries_.end() ? nullptr : std::get_if<Cms>(&it->second.value);
  return c ? &c->sketch : nullptr;
}

namespace {
bool is_read(TypedOp op)
{
  switch (op) {
    case TypedOp::HGet:
    case TypedOp::HGetAll:
    case TypedOp::LRange:
    case TypedOp::ZRange:
    case TypedOp::ZRank:
    case TypedOp::ZScore:
    case TypedOp::GeoRadius:
    case TypedOp::GetBit:
    case TypedOp::BitCount:
    case TypedOp::BloomCheck:
    case TypedOp::CmsQuery: return true;
    default: return false;
  }
}
}  // namespace

TypedResult RedisTypedStore::apply(const TypedCommand& cmd, KeyCache& cache, double now)
{
  TypedResult r;
  r.read = is_read(cmd.op);
  run(cmd, cache, now, r);
  return r;
}

void RedisTypedStore::run(const TypedCommand& cmd, KeyCache& cache, double now, TypedResult& r)
{
  using S       = TypedResult::Status;
  bool string   = false;
  Entry* e      = lookup(cmd.key, cache, now, string);
  const auto k  = cmd.key;
  const auto m  = cmd.member;
  double before = e ? e->bytes : 0;
  if (cmd.op == TypedOp::Script)
    return run_script(cmd, e, string, cache, now, r);
  if (string) {
    r.status = S::WrongType;
    return;
  }
  // The key's structure as a T, or a wrong-type error.
  auto as = [&](auto* tag) -> decltype(tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    if (!e)
      return nullptr;
    T* v = std::get_if<T>(&e->value);
    if (!v)
      r.status = S::WrongType;
    return v;
  };

  switch (cmd.op) {
    // -- hashes
    case TypedOp::HSet:
    case TypedOp::HIncr: {
      Hash* h = as(static_cast<Hash*>(nullptr));
      if (r.status != S::Ok)
        return;
      auto f        = h ? h->fields.find(m) : decltype(h->fields.end()){};
      bool exists   = h && f != h->fields.end();
      double value  = cmd.op == TypedOp::HSet ? cmd.member_bytes : 8;
      double bytes  = before - (exists ? kIdBytes + f->second.bytes : 0) + kIdBytes + value;
      if (!(e = prepare(k, e, bytes, Hash{}, cmd, cache, now, r)))
        return;
      Hash::Field& field = std::get<Hash>(e->value).fields[m];
      field.bytes        = value;
      if (cmd.op == TypedOp::HIncr) {
        field.number += cmd.number;
        r.reply = 8;
      } else {
        r.tag     = exists ? "updated" : "added";
        r.payload = value;
      }
      r.elements = 1;
      return;
    }
    case TypedOp::HGet: {
      Hash* h = as(static_cast<Hash*>(nullptr));
      if (r.status != S::Ok)
        return;
      r.elements = 1;
      auto f     = h ? h->fields.find(m) : decltype(h->fields.end()){};
      if (!h || f == h->fields.end()) {
        r.tag = "miss";
        return;
      }
      r.tag     = "hit";
      r.payload = r.reply = f->second.bytes;
      return;
    }
    case TypedOp::HDel: {
      Hash* h = as(static_cast<Hash*>(nullptr));
      if (r.status != S::Ok)
        return;
      r.elements = 1;
      auto f     = h ? h->fields.find(m) : decltype(h->fields.end()){};
      if (!h || f == h->fields.end()) {
        r.tag = "absent";
        return;
      }
      double bytes = before - kIdBytes - f->second.bytes;
      e            = prepare(k, e, bytes, Value{}, cmd, cache, now, r);
      h            = &std::get<Hash>(e->value);
      h->fields.erase(m);
      if (h->fields.empty())
        remove(k, cache);
      r.tag = "found";
      return;
    }
    case TypedOp::HGetAll: {
      Hash* h = as(static_cast<Hash*>(nullptr));
      if (r.status != S::Ok)
        return;
      if (!h) {
        r.tag = "miss";
        return;
      }
      for (const auto& [id, f] : h->fields)
        r.payload += kIdBytes + f.bytes;
      r.elements = static_cast<double>(h->fields.size());
      r.reply    = r.payload;
      r.tag      = "hit";
      return;
    }
    // -- lists
    case TypedOp::LPush:
    case TypedOp::RPush: {
      List* l = as(static_cast<List*>(nullptr));
      if (r.status != S::Ok)
        return;
      bool left    = cmd.op == TypedOp::LPush;
      size_t n     = l ? l->items.size() : 0;
      size_t drop  = cmd.count > 0 && n + 1 > cmd.count ? n + 1 - cmd.count : 0;
      double freed = 0;
      // LPUSH + LTRIM 0 cap-1 drops from the tail; RPUSH + LTRIM -cap -1 from the head.
      for (size_t i = 0; i < drop && l; ++i)
        freed += left ? l->items[n - 1 - i].second : l->items[i].second;
      double bytes = before + cmd.member_bytes - freed;
      if (!(e = prepare(k, e, bytes, List{}, cmd, cache, now, r)))
        return;
      auto& items = std::get<List>(e->value).items;
      if (left) {
        items.emplace_front(m, cmd.member_bytes);
        for (size_t i = 0; i < drop; ++i)
          items.pop_back();
      } else {
        items.emplace_back(m, cmd.member_bytes);
        for (size_t i = 0; i < drop; ++i)
          items.pop_front();
      }
      r.elements = 1 + static_cast<double>(drop);
      r.trimmed  = drop;
      r.payload  = cmd.member_bytes;
      r.reply    = 8;
      return;
    }
    case TypedOp::LPop:
    case TypedOp::RPop: {
      List* l = as(static_cast<List*>(nullptr));
      if (r.status != S::Ok)
        return;
      if (!l || l->items.empty()) {
        r.tag = "empty";
        return;
      }
      bool left    = cmd.op == TypedOp::LPop;
      double value = left ? l->items.front().second : l->items.back().second;
      e            = prepare(k, e, before - value, Value{}, cmd, cache, now, r);
      auto& items  = std::get<List>(e->value).items;
      left ? items.pop_front() : items.pop_back();
      if (items.empty())
        remove(k, cache);
      r.elements = 1;
      r.payload = r.reply = value;
      r.tag               = "found";
      return;
    }
    case TypedOp::LRange: {
      List* l = as(static_cast<List*>(nullptr));
      if (r.status != S::Ok)
        return;
      if (!l) {
        r.tag = "miss";
        return;
      }
      size_t n = cmd.count > 0 ? std::min<size_t>(cmd.count, l->items.size()) : l->items.size();
      for (size_t i = 0; i < n; ++i)
        r.payload += l->items[i].second;
      r.elements = static_cast<double>(n);
      r.reply    = r.payload;
      r.tag      = "hit";
      return;
    }
    // -- sorted sets
    case TypedOp::ZAdd:
    case TypedOp::ZIncrBy: {
      SortedSet* z = as(static_cast<SortedSet*>(nullptr));
      if (r.status != S::Ok)
        return;
      bool exists  = z && z->score(m).has_value();
      double bytes = before + (exists ? 0 : kScoredBytes);
      if (!(e = prepare(k, e, bytes, SortedSet{}, cmd, cache, now, r)))
        return;
      z        = &std::get<SortedSet>(e->value);
      r.levels = z->levels();
      if (cmd.op == TypedOp::ZAdd) {
        z->add(m, cmd.number);
        r.tag = exists ? "updated" : "added";
      } else {
        z->incr(m, cmd.number);
        r.reply = 8;
      }
      return;
    }
    case TypedOp::ZRem: {
      SortedSet* z = as(static_cast<SortedSet*>(nullptr));
      if (r.status != S::Ok)
        return;
      r.levels = z ? z->levels() : 0;
      if (!z || !z->score(m)) {
        r.tag = "absent";
        return;
      }
      e = prepare(k, e, before - kScoredBytes, Value{}, cmd, cache, now, r);
      z = &std::get<SortedSet>(e->value);
      z->remove(m);
      if (z->empty())
        remove(k, cache);
      r.tag = "found";
      return;
    }
    case TypedOp::ZRange: {
      SortedSet* z = as(static_cast<SortedSet*>(nullptr));
      if (r.status != S::Ok)
        return;
      if (!z) {
        r.tag = "miss";
        return;
      }
      auto out   = z->range(0, cmd.count > 0 ? cmd.count : z->size(), cmd.rev);
      r.levels   = z->levels();
      r.elements = static_cast<double>(out.size());
      r.payload = r.reply = kScoredBytes * static_cast<double>(out.size());
      r.tag               = "hit";
      return;
    }
    case TypedOp::ZRank:
    case TypedOp::ZScore: {
      SortedSet* z = as(static_cast<SortedSet*>(nullptr));
      if (r.status != S::Ok)
        return;
      bool found = false;
      if (cmd.op == TypedOp::ZRank) {
        r.levels = z ? z->levels() : 0;
        found    = z && z->rank(m, cmd.rev).has_value();
      } else {
        r.elements = 1;
        found      = z && z->score(m).has_value();
      }
      r.reply = found ? 8 : 0;
      r.tag   = found ? "found" : "absent";
      return;
    }
    case TypedOp::ZRemRangeByScore: {
      SortedSet* z = as(static_cast<SortedSet*>(nullptr));
      if (r.status != S::Ok)
        return;
      double bound = now - cmd.age;
      size_t n     = z ? z->count_below(bound) : 0;
      r.levels     = z ? z->levels() : 0;
      if (n == 0) {
        r.tag = "absent";
        return;
      }
      e = prepare(k, e, before - kScoredBytes * static_cast<double>(n), Value{}, cmd, cache, now, r);
      z = &std::get<SortedSet>(e->value);
      z->remove_below(bound);
      if (z->empty())
        remove(k, cache);
      r.elements = static_cast<double>(n);
      r.reply    = 8;
      r.tag      = "found";
      return;
    }
    // -- geo
    case TypedOp::GeoAdd: {
      GeoSet* g = as(static_cast<GeoSet*>(nullptr));
      if (r.status != S::Ok)
        return;
      auto at      = g ? g->position(m) : std::nullopt;
      double bytes = before + (at ? 0 : kScoredBytes);
      if (!(e = prepare(k, e, bytes, GeoSet(geo_side_), cmd, cache, now, r)))
        return;
      g                 = &std::get<GeoSet>(e->value);
      GeoSet::Point pos = at ? *at : GeoSet::home(m, geo_side_);
      if (at && cmd.drift > 0) {
        // A moving member (a driver): a step of up to `drift` per axis, from a hash of (member, time).
        uint64_t h = mix64(m ^ mix64(bits_of(now)));
        pos.x += cmd.drift * (2 * unit_of(h) - 1);
        pos.y += cmd.drift * (2 * unit_of(mix64(h)) - 1);
      }
      r.levels = g->size() > 0 ? std::log2(static_cast<double>(g->size()) + 1) : 0;
      g->add(m, pos);
      r.tag = at ? "updated" : "added";
      return;
    }
    case TypedOp::GeoRadius: {
      GeoSet* g = as(static_cast<GeoSet*>(nullptr));
      if (r.status != S::Ok)
        return;
      if (!g) {
        r.tag = "none";
        return;
      }
      auto centre  = g->position(m).value_or(GeoSet::home(m, geo_side_));
      auto found   = g->radius(centre, cmd.radius, static_cast<size_t>(cmd.count));
      r.levels     = found.levels;
      r.elements   = static_cast<double>(found.examined);
      r.examined   = found.examined;
      r.payload = r.reply = kScoredBytes * static_cast<double>(found.members.size());
      r.tag               = found.members.empty() ? "none" : "found";
      return;
    }
    // -- bitmaps
    case TypedOp::SetBit: {
      Bitmap* b = as(static_cast<Bitmap*>(nullptr));
      if (r.status != S::Ok)
        return;
      if (m >= (1ULL << 32)) {
        r.status = S::OutOfRange;  // "bit offset is not an integer or out of range"
        return;
      }
      double bytes = static_cast<double>(b ? b->length_after_set(m) : m / 8 + 1);
      if (!(e = prepare(k, e, std::max(before, bytes), Bitmap{}, cmd, cache, now, r)))
        return;
      bool old   = std::get<Bitmap>(e->value).set(m, cmd.number != 0);
      r.elements = 1;
      r.reply    = 8;
      r.tag      = old ? "one" : "zero";
      return;
    }
    case TypedOp::GetBit: {
      Bitmap* b = as(static_cast<Bitmap*>(nullptr));
      if (r.status != S::Ok)
        return;
      r.elements = 1;
      r.reply    = 8;
      r.tag      = b && b->get(m) ? "one" : "zero";
      return;
    }
    case TypedOp::BitCount: {
      Bitmap* b = as(static_cast<Bitmap*>(nullptr));
      if (r.status != S::Ok)
        return;
      r.scanned = b ? b->bytes() : 0;
      r.reply   = 8;
      return;
    }
    // -- Bloom filters
    case TypedOp::BloomAdd: {
      Bloom* b = as(static_cast<Bloom*>(nullptr));
      if (r.status != S::Ok)
        return;
      size_t probes = 0;
      r.truly_new   = !b || !b->truth.count(m);
      if (b && b->filter.check(m, probes)) {
        // BF.ADD answers 0: "may exist". For an id never added that is a false positive.
        r.elements       = static_cast<double>(probes);
        r.false_positive = r.truly_new;
        r.tag            = "exists";
        b->truth.insert(m);
        return;
      }
      if (b && b->filter.full()) {
        r.elements = static_cast<double>(probes);
        r.status   = S::Full;  // "ERR non scaling filter is full"
        return;
      }
      Value fresh  = b ? Value{} : Value{Bloom{BloomFilter(cmd.bloom_capacity, cmd.error_rate, cmd.expansion), {}}};
      double bytes = b ? b->filter.bytes_after_add(m) : std::get<Bloom>(fresh).filter.bytes();
      if (!(e = prepare(k, e, bytes, std::move(fresh), cmd, cache, now, r)))
        return;
      b = &std::get<Bloom>(e->value);
      b->filter.add(m, probes);
      b->truth.insert(m);
      r.elements = static_cast<double>(probes);
      r.reply    = 8;
      r.tag      = "added";
      return;
    }
    case TypedOp::BloomCheck: {
      Bloom* b = as(static_cast<Bloom*>(nullptr));
      if (r.status != S::Ok)
        return;
      size_t probes    = 0;
      bool maybe       = b && b->filter.check(m, probes);
      r.truly_new      = !b || !b->truth.count(m);
      r.false_positive = maybe && r.truly_new;
      r.elements       = static_cast<double>(probes);
      r.reply          = 8;
      r.tag            = maybe ? "maybe" : "absent";
      return;
    }
    // -- count-min sketches
    case TypedOp::CmsIncr: {
      Cms* c = as(static_cast<Cms*>(nullptr));
      if (r.status != S::Ok)
        return;
      Value fresh  = c ? Value{} : Value{Cms{CountMinSketch(cmd.width, cmd.depth), {}}};
      double bytes = c ? before : std::get<Cms>(fresh).sketch.bytes();
      if (!(e = prepare(k, e, bytes, std::move(fresh), cmd, cache, now, r)))
        return;
      c   = &std::get<Cms>(e->value);
      auto by = static_cast<uint64_t>(std::max(0.0, std::round(cmd.number)));
      c->sketch.incr(m, by);
      c->truth[m] += by;
      r.elements = c->sketch.depth();
      r.reply    = 8;
      return;
    }
    case TypedOp::CmsQuery: {
      Cms* c = as(static_cast<Cms*>(nullptr));
      if (r.status != S::Ok)
        return;
      r.reply = 8;
      if (!c)
        return;
      auto t       = c->truth.find(m);
      double truth = t == c->truth.end() ? 0 : static_cast<double>(t->second);
      double est   = static_cast<double>(c->sketch.query(m));
      r.overcount  = (est - truth) / std::max(1.0, static_cast<double>(c->sketch.total()));
      r.elements   = c->sketch.depth();
      return;
    }
    case TypedOp::Script: return;
  }
}

void RedisTypedStore::run_script(const TypedCommand& cmd, Entry* e, bool string, KeyCache& cache, double now,
                                 TypedResult& r)
{
  using S      = TypedResult::Status;
  const auto k = cmd.key;
  r.scripted   = true;
  r.reply      = 8;
  auto wrong   = [&](bool ok) {
    if (string || (e && !ok))
      r.status = S::WrongType;
    return r.status == S::Ok;
  };
  switch (cmd.script) {
    case ScriptKind::TokenBucket: {
      // HMGET tokens last; refill; HSET tokens last; PEXPIRE (a bucket left alone refills to
      // full in capacity / rate, when it is as good as a new one).
      r.calls = 3;
      if (!wrong(e && std::holds_alternative<TokenBucket>(e->value)))
        return;
      if (!(e = prepare(k, e, kBucketBytes, TokenBucket{cmd.capacity, now}, cmd, cache, now, r)))
        return;
      bool ok = std::get<TokenBucket>(e->value).take(now, cmd.rate, cmd.capacity);
      set_ttl(k, *e, cache, now, cmd.capacity / cmd.rate);
      r.tag = ok ? "allowed" : "denied";
      return;
    }
    case ScriptKind::SlidingWindowLog: {
      // ZREMRANGEBYSCORE key -inf now-window; ZCARD; ZADD key now now (if under the limit); PEXPIRE.
      r.calls = 4;
      if (!wrong(e && std::holds_alternative<SlidingLog>(e->value)))
        return;
      const SlidingLog* log = e ? &std::get<SlidingLog>(e->value) : nullptr;
      size_t n = log ? log->times.size() : 0, old = 0;
      while (log && old < n && log->times[old] <= now - cmd.window)
        ++old;
      size_t kept  = n - old;
      double bytes = kLogEntryBytes * static_cast<double>(kept + (kept < cmd.limit ? 1 : 0));
      if (!(e = prepare(k, e, bytes, SlidingLog{}, cmd, cache, now, r)))
        return;
      size_t trimmed = 0;
      bool ok        = std::get<SlidingLog>(e->value).take(now, cmd.window, cmd.limit, trimmed);
      if (std::get<SlidingLog>(e->value).times.empty()) {
        remove(k, cache);
      } else {
        set_ttl(k, *e, cache, now, cmd.window);
      }
      r.levels   = 2 * std::log2(static_cast<double>(n) + 1);
      r.elements = static_cast<double>(trimmed);
      r.trimmed  = trimmed;
      r.tag      = ok ? "allowed" : "denied";
      return;
    }
    case ScriptKind::FixedWindow: {
      // INCR key; PEXPIRE key to the window's end on the first hit of the window.
      r.calls = 2;
      if (!wrong(e && std::holds_alternative<FixedWindow>(e->value)))
        return;
      if (!(e = prepare(k, e, kWindowBytes, FixedWindow{}, cmd, cache, now, r)))
        return;
      auto& w = std::get<FixedWindow>(e->value);
      bool ok = w.take(now, cmd.window, cmd.limit);
      set_ttl(k, *e, cache, now, static_cast<double>(w.window + 1) * cmd.window - now);
      r.tag = ok ? "allowed" : "denied";
      return;
    }
    case ScriptKind::LockAcquire: {
      // SET key holder NX PX ttl: one command, no script. Fails on any existing key.
      r.scripted = false;
      if (e || string) {
        r.tag = "busy";
        return;
      }
      if (!(e = prepare(k, e, kIdBytes, Lock{cmd.caller}, cmd, cache, now, r)))
        return;
      set_ttl(k, *e, cache, now, cmd.ttl);
      r.tag = "acquired";
      return;
    }
    case ScriptKind::LockRelease: {
      // if redis.call('GET', key) == holder then return redis.call('DEL', key) end
      r.calls = 2;
      if (!e || !std::holds_alternative<Lock>(e->value) || std::get<Lock>(e->value).holder != cmd.caller) {
        r.tag = "not_owner";
        return;
      }
      note_write(k, now);
      remove(k, cache);
      r.wrote = true;
      r.tag   = "released";
      return;
    }
    case ScriptKind::CompareAndSet: return;  // on string values: models/redis.cpp
  }
}

// ---- PubSub ----------------------------------------------------------------------------------

void PubSub::subscribe(uint64_t channel, uint64_t connection, size_t endpoint, double until)
{
  channels_[channel][connection] = {connection, endpoint, until};
}

bool PubSub::unsubscribe(uint64_t channel, uint64_t connection)
{
  auto it = channels_.find(channel);
  if (it == channels_.end() || !it->second.erase(connection))
    return false;
  if (it->second.empty())
    channels_.erase(it);
  return true;
}

std::vector<PubSub::Subscriber> PubSub::subscribers(uint64_t channel, double now)
{
  std::vector<Subscriber> out;
  auto it = channels_.find(channel);
  if (it == channels_.end())
    return out;
  auto& subs = it->second;
  for (auto s = subs.begin(); s != subs.end();) {
    if (s->second.until > 0 && s->second.until <= now) {
      s = subs.erase(s);
    } else {
      out.push_back(s->second);
      ++s;
    }
  }
  if (subs.empty())
    channels_.erase(it);
  return out;
}

size_t PubSub::count(double now) const
{
  size_t n = 0;
  for (const auto& [channel, subs] : channels_)
    for (const auto& [conn, s] : subs)
      n += s.until == 0 || s.until > now ? 1 : 0;
  return n;
}

}  // namespace archsim
