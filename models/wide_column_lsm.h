#pragma once
// The bookkeeping of one node's log-structured merge tree, as in Cassandra: writes go to a
// memtable (after the commit log); a full memtable is flushed to a new immutable SSTable; a
// size-tiered compaction merges similar-size SSTables once there are `min_threshold` of them.
// A read looks in the memtables and in every SSTable whose Bloom filter answers "maybe": the
// tables that really hold the partition plus false positives drawn at the filter's rate. So
// read amplification comes from the real SSTable contents (real key ids), grows as flushes
// add tables and falls when compaction merges them. Pure logic, no SimGrid: the component
// runs the flushes and compactions as timed work and calls back here when they end.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "sim/core/rng.h"

namespace archsim {

struct LsmConfig {
  double memtable_bytes  = 64e6;  // flush threshold
  size_t min_threshold   = 4;     // STCS: tables in a bucket before it compacts
  size_t max_threshold   = 32;    // STCS: most tables merged at once
  double bucket_low      = 0.5;   // STCS: a table joins a bucket within [low, high] x its mean size
  double bucket_high     = 1.5;
  double min_sstable_size = 50e6; // STCS: tables below this all share the smallest bucket
  double bloom_fp        = 0.01;  // Bloom filter false-positive chance per table and lookup
};

class LsmTree {
public:
  struct Entry {
    uint64_t key;
    double bytes;
  };
  struct SSTable {
    uint64_t id = 0;
    std::vector<Entry> entries;  // sorted by key, one per partition
    double bytes     = 0;
    bool compacting  = false;
  };
  struct FlushJob {
    uint64_t id;
    double bytes;
  };
  struct CompactionJob {
    uint64_t id;
    std::vector<uint64_t> inputs;  // SSTable ids
    double bytes;                  // read and rewritten
    uint64_t epoch = 0;            // crashes before it started
  };
  struct ReadResult {
    bool found           = false;
    size_t sstables_read = 0;  // tables whose filter said "maybe" (each costs a disk read)
  };

  explicit LsmTree(LsmConfig config) : config_(config) {}

  // A write into the active memtable (the commit log append is the caller's to time). Every
  // write counts toward memtable_size, overwrites included, as Cassandra's allocator does.
  void put(uint64_t key, double bytes);
  // When the active memtable has reached its threshold: it becomes a flushing (still readable)
  // memtable and a fresh one takes the writes. The caller runs the flush, then finish_flush().
  std::optional<FlushJob> take_flush();
  // The flushed memtable becomes an SSTable. False when the job was abandoned by a crash.
  bool finish_flush(uint64_t job);
  // The next size-tiered compaction, if a bucket has min_threshold tables not being compacted.
  std::optional<CompactionJob> pick_compaction();
  // The inputs are replaced by their merge. False when the job was abandoned by a crash.
  bool finish_compaction(const CompactionJob& job);
  // Looks a partition up: memtables, then every SSTable that holds it or whose Bloom filter
  // gives a false positive (one draw from `rng` per table that does not hold it).
  ReadResult read(uint64_t key, Rng& rng) const;
  // A process crash: flushes and compactions in progress are abandoned; the memtables are
  // rebuilt from the commit log on restart, and SSTables are durable, so no data is lost.
  void crash();

  size_t sstables() const { return tables_.size(); }
  const std::vector<SSTable>& tables() const { return tables_; }
  double memtable_bytes() const { return active_.bytes; }  // live rows in the active memtable
  bool in_memtables(uint64_t key) const;

private:
  struct Memtable {
    uint64_t id = 0;
    std::unordered_map<uint64_t, double> rows;
    double bytes     = 0;  // live rows: what a flush writes
    double allocated = 0;  // every write since the last flush: what fills the memtable
  };
  LsmConfig config_;
  Memtable active_;
  std::vector<Memtable> flushing_;
  std::vector<SSTable> tables_;  // oldest first
  uint64_t next_id_ = 1;
  uint64_t epoch_   = 0;  // crashes so far: a job from an older epoch was abandoned
};

}  // namespace archsim
