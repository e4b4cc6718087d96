#include "models/wide_column_lsm.h"

#include <algorithm>

namespace archsim {

void LsmTree::put(uint64_t key, double bytes)
{
  auto [it, inserted] = active_.rows.try_emplace(key, bytes);
  if (!inserted) {
    active_.bytes -= it->second;  // an overwrite replaces the row in the memtable ...
    it->second = bytes;
  }
  active_.bytes += bytes;
  active_.allocated += bytes;  // ... but its memory is only reclaimed by the flush (slab allocator)
}

std::optional<LsmTree::FlushJob> LsmTree::take_flush()
{
  if (active_.allocated < config_.memtable_bytes || active_.rows.empty())
    return std::nullopt;
  active_.id = next_id_++;
  FlushJob job{active_.id, active_.bytes};
  flushing_.push_back(std::move(active_));
  active_ = Memtable{};
  return job;
}

bool LsmTree::finish_flush(uint64_t job)
{
  auto it = std::find_if(flushing_.begin(), flushing_.end(), [&](const Memtable& m) { return m.id == job; });
  if (it == flushing_.end())
    return false;
  SSTable t;
  t.id = it->id;
  t.entries.reserve(it->rows.size());
  for (const auto& [key, bytes] : it->rows)
    t.entries.push_back({key, bytes});
  std::sort(t.entries.begin(), t.entries.end(), [](const Entry& a, const Entry& b) { return a.key < b.key; });
  t.bytes = it->bytes;
  tables_.push_back(std::move(t));
  flushing_.erase(it);
  return true;
}

std::optional<LsmTree::CompactionJob> LsmTree::pick_compaction()
{
  // Cassandra's SizeTieredCompactionStrategy: sort by size, put each table in the first bucket
  // whose mean it is close to (tables under min_sstable_size all share one bucket).
  std::vector<const SSTable*> idle;
  for (const auto& t : tables_)
    if (!t.compacting)
      idle.push_back(&t);
  std::sort(idle.begin(), idle.end(), [](const SSTable* a, const SSTable* b) { return a->bytes < b->bytes; });
  struct Bucket {
    std::vector<const SSTable*> tables;
    double mean = 0;
  };
  std::vector<Bucket> buckets;
  for (const SSTable* t : idle) {
    Bucket* home = nullptr;
    for (auto& b : buckets) {
      bool small = t->bytes < config_.min_sstable_size && b.mean < config_.min_sstable_size;
      if (small || (t->bytes >= b.mean * config_.bucket_low && t->bytes <= b.mean * config_.bucket_high)) {
        home = &b;
        break;
      }
    }
    if (!home) {
      buckets.emplace_back();
      home = &buckets.back();
    }
    home->mean = (home->mean * static_cast<double>(home->tables.size()) + t->bytes) /
                 static_cast<double>(home->tables.size() + 1);
    home->tables.push_back(t);
  }
  // The bucket with the most tables goes first (Cassandra prefers the hottest; every table is
  // read equally here, so the largest bucket gains most).
  const Bucket* best = nullptr;
  for (const auto& b : buckets)
    if (b.tables.size() >= config_.min_threshold && (!best || b.tables.size() > best->tables.size()))
      best = &b;
  if (!best)
    return std::nullopt;
  CompactionJob job{next_id_++, {}, 0, epoch_};
  size_t n = std::min(best->tables.size(), config_.max_threshold);
  for (size_t i = 0; i < n; ++i) {
    job.inputs.push_back(best->tables[i]->id);
    job.bytes += best->tables[i]->bytes;
  }
  for (auto& t : tables_)
    if (std::find(job.inputs.begin(), job.inputs.end(), t.id) != job.inputs.end())
      t.compacting = true;
  return job;
}

bool LsmTree::finish_compaction(const CompactionJob& job)
{
  if (job.epoch != epoch_)
    return false;  // abandoned by a crash; its inputs were released then
  std::vector<SSTable> inputs;
  std::vector<SSTable> kept;
  for (auto& t : tables_) {
    bool in = std::find(job.inputs.begin(), job.inputs.end(), t.id) != job.inputs.end();
    (in && t.compacting ? inputs : kept).push_back(std::move(t));
  }
  // Merge: one entry per partition (the newest version; sizes are stable per key here).
  SSTable merged;
  merged.id = job.id;
  for (auto& t : inputs)
    merged.entries.insert(merged.entries.end(), t.entries.begin(), t.entries.end());
  std::stable_sort(merged.entries.begin(), merged.entries.end(),
                   [](const Entry& a, const Entry& b) { return a.key < b.key; });
  std::vector<Entry> unique;
  unique.reserve(merged.entries.size());
  for (const auto& e : merged.entries) {
    if (!unique.empty() && unique.back().key == e.key)
      unique.back() = e;
    else
      unique.push_back(e);
  }
  merged.entries = std::move(unique);
  for (const auto& e : merged.entries)
    merged.bytes += e.bytes;
  kept.push_back(std::move(merged));
  tables_ = std::move(kept);
  return true;
}

bool LsmTree::in_memtables(uint64_t key) const
{
  if (active_.rows.count(key))
    return true;
  for (const auto& m : flushing_)
    if (m.rows.count(key))
      return true;
  return false;
}

LsmTree::ReadResult LsmTree::read(uint64_t key, Rng& rng) const
{
  ReadResult r;
  r.found = in_memtables(key);
  for (const auto& t : tables_) {
    bool holds = std::binary_search(t.entries.begin(), t.entries.end(), Entry{key, 0},
                                    [](const Entry& a, const Entry& b) { return a.key < b.key; });
    if (holds) {
      r.found = true;
      ++r.sstables_read;
    } else if (rng.uniform01() < config_.bloom_fp) {
      ++r.sstables_read;  // the filter said "maybe": the index and data page are read for nothing
    }
  }
  return r;
}

void LsmTree::crash()
{
  // The commit log still holds what the flushing memtables held: replay it into the memtable.
  for (auto& m : flushing_)
    for (const auto& [key, bytes] : m.rows)
      if (!active_.rows.count(key))
        put(key, bytes);
  flushing_.clear();
  ++epoch_;
  for (auto& t : tables_)
    t.compacting = false;
}

}  // namespace archsim
