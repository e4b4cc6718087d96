#pragma once
// The kafka component's class (models/kafka.cpp), declared in a header of its own so that the
// components that read its log (models/consumer_group.cpp, models/stream_processor.cpp) can use
// its reader API.
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "models/kafka_log.h"
#include "sim/engine/component.h"
#include "sim/engine/thread_pool.h"

namespace archsim {

inline constexpr double kKafkaRequestBytes = 100;  // a request or response header, an ack

// A component that reads the log and wants to hear when records become readable.
class KafkaReader {
public:
  virtual ~KafkaReader() = default;
  // The high watermark of `partition` is now `hw` (it rose, or fell after a truncation).
  virtual void high_watermark_moved(size_t partition, uint64_t hw) = 0;
};

struct FetchedRecord {
  size_t partition = 0;
  uint64_t offset  = 0;
  kafka::Record record;
};

class Kafka : public Component {
public:
  Kafka(Runtime& rt, const ComponentSpec& spec);
  size_t choose_replica(const FlowContext& ctx) override;
  double request_bytes(const FlowContext& ctx, const Step& step) override;
  Outcome serve(FlowContext& ctx, const Step& step, size_t broker, const Body& body) override;
  void finish() override;
  // The broker's process (and its page cache) dies: its replicas keep what was flushed; the
  // controller notices after `failover_time` and moves the leadership of its partitions.
  void crash(size_t broker) override;
  // The broker is back: it leads the offline partitions it was the last in-sync replica of and
  // follows the others, rejoining their ISR once it has caught up.
  void recover(size_t broker) override;

  // ---- the reader API ----------------------------------------------------------------
  size_t partitions() const { return parts_.size(); }
  // Registers a reader; its floor (the lowest offset it may read again) starts at 0.
  size_t add_reader(KafkaReader* reader);
  // Records below every reader's floor (and every replica's log end) leave memory.
  void set_floor(size_t reader, size_t partition, uint64_t offset);
  uint64_t high_watermark(size_t p) const { return parts_[p].log.high_watermark(); }
  uint64_t log_start(size_t p) const { return parts_[p].log.log_start(); }
  // The broker that leads p and is up (empty while the partition fails over).
  std::optional<size_t> leader(size_t p) const;
  // One fetch request from `at` to `broker` for partitions it leads, each from its offset: at
  // most `max_records` records in all, 1 MiB per partition, below the high watermark (records
  // not yet on every in-sync replica are not readable). The request and the records travel
  // over the network and cost the broker CPU. False when the broker is down.
  bool fetch(sg4::Host* at, size_t broker, const std::vector<std::pair<size_t, uint64_t>>& from, size_t max_records,
             std::vector<FetchedRecord>& out);
  // An OffsetCommit request from `at` to the group's coordinator broker. False if none is up.
  bool commit_offsets(sg4::Host* at, const std::string& group, size_t partitions);
  // The key space of a record (nullptr when it had none).
  const KeySpaceSpec* key_space(uint16_t index) const;

private:
  struct Batch;
  struct Partition {
    explicit Partition(std::vector<size_t> replicas) : log(std::move(replicas)) {}
    kafka::PartitionLog log;
    std::deque<std::shared_ptr<Batch>> queue;     // sealed, waiting for the leader's append
    sg4::SemaphorePtr queued;
    std::vector<std::shared_ptr<Batch>> pending;  // appended, waiting for the ISR (acks=all)
    uint64_t records = 0;                         // appended after warm-up (hot partitions)
  };
  struct Fetcher {  // a follower's replica fetcher from one leader broker
    bool idle = false;
    sg4::SemaphorePtr wake;
  };

  size_t partition_of(const FlowContext& ctx);
  double record_bytes(const FlowContext& ctx, const Step& step) const;
  void seal(const std::shared_ptr<Batch>& b);
  void answer(const std::shared_ptr<Batch>& b, const Outcome& o);
  void appender(size_t p);
  bool append(size_t p, const std::shared_ptr<Batch>& b);
  void replica_fetcher(size_t follower, size_t leader);
  void wake_fetchers(size_t p);
  void high_watermark_moved(size_t p);
  void apply(size_t p, const kafka::PartitionLog::Change& c);
  void update_levels(size_t p);
  void controller_failed(size_t broker);
  void forget(size_t p);
  std::vector<bool> alive() const;
  bool measured(double t) const;

  size_t rf_;
  size_t min_isr_;
  int acks_;  // 0, 1, or -1 for all
  double linger_;
  double batch_size_;
  double retention_;
  bool flush_every_batch_;
  double fsync_;
  double dirty_expire_;
  double request_cpu_;
  double cpu_per_byte_;
  double failover_time_;
  double retry_backoff_;
  double delivery_timeout_;
  double replica_wait_;
  CpuMeter cpu_;
  ComponentMetrics::Level& under_replicated_;
  ComponentMetrics::Level& offline_;
  std::vector<Partition> parts_;
  std::vector<std::vector<Fetcher>> fetchers_;  // [follower][leader]
  std::map<std::pair<sg4::Host*, size_t>, std::shared_ptr<Batch>> open_;  // per (producer, partition)
  std::map<sg4::Host*, uint16_t> producers_;
  std::map<std::pair<uint16_t, size_t>, uint64_t> sequences_;
  std::map<sg4::Host*, size_t> sticky_;
  size_t last_sticky_ = 0;
  std::vector<KafkaReader*> readers_;
  std::vector<std::vector<uint64_t>> floors_;  // [reader][partition]
  std::vector<bool> handled_;                  // the controller has handled the broker's failure
  std::vector<uint64_t> crashes_;              // per broker, to match a detection to its crash
  std::vector<int> under_;                     // per partition: counted as under-replicated
  std::vector<int> offline_now_;               // per partition: counted as offline
  double batches_ = 0, batch_records_ = 0, batch_bytes_ = 0;
};

}  // namespace archsim
