// Latency histogram with bounded relative error, for long runs where keeping every sample is
// too costly.
//
// Bucket i holds the values in (gamma^(i-1), gamma^i], gamma = (1+e)/(1-e), and reports the value
// 2 gamma^i / (gamma+1), which is within a factor (1 +- e) of every value in the bucket (the
// DDSketch mapping, Masson et al. 2019). So every quantile is within relative error e of the
// true sample quantile, whatever the distribution, and histograms merge by adding counts:
// replications, windows and shards combine without loss. The range is 1 ns .. 1e6 s (values in
// seconds); values outside it land in the first or last bucket, while min, max and sum stay
// exact.
//
// Why not Boost.Histogram (suggested in DESIGN.md): its log axis computes the same log() per
// add, but a fixed-range axis allocates all ~3500 cells of 1 ns..1e6 s up front for every
// histogram (per class, component and time window), and growing axes, sparse JSON and
// exact-equality merge checks would need more code than this plain vector of counts.
#pragma once

#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace archsim {

class LogHistogram {
 public:
  explicit LogHistogram(double relative_error = 0.005);  // 0 < relative_error < 1

  // v >= 0 and finite (0 counts in the first bucket); throws std::invalid_argument otherwise.
  // O(1): one log(); allocates only when v falls outside the buckets seen so far.
  void add(double v, uint64_t n = 1);
  // Requires the same relative_error; throws std::invalid_argument otherwise.
  void merge(const LogHistogram& other);

  uint64_t count() const { return count_; }
  double sum() const { return sum_; }
  // mean, min, max, quantile and fraction_above are NaN when the histogram is empty.
  double mean() const;
  double min() const;
  double max() const;
  double relative_error() const { return relative_error_; }

  // Nearest rank: the value of rank ceil(q * count). Ranks 1 and count give the exact min and
  // max; other ranks give the bucket's value clamped into [min, max]. q in [0,1].
  double quantile(double q) const;
  // Share of samples > v. Exact below min and at or above max; otherwise samples in v's own
  // bucket count as not above.
  double fraction_above(double v) const;
  // Non-empty buckets as (lower bound, count), increasing. The first bucket (lower bound just
  // under 1 ns) also holds everything below 1 ns, including 0.
  std::vector<std::pair<double, uint64_t>> buckets() const;

  // {"relative_error", "count", "sum", "min", "max", "buckets": [[index, count], ...]}, where
  // index is the absolute bucket index i above; min and max are null when empty.
  nlohmann::json to_json() const;
  static LogHistogram from_json(const nlohmann::json& j);  // throws std::invalid_argument

 private:
  int index_of(double v) const;
  double value_of(int index) const;
  double lower_bound_of(int index) const;
  void cover(int index);  // grow counts_ so that it holds this absolute index

  double relative_error_;
  double log_gamma_;
  int first_index_, last_index_;  // absolute indices of 1 ns and 1e6 s
  int offset_ = 0;                // absolute index of counts_[0]
  std::vector<uint64_t> counts_;  // only the range of indices seen so far
  uint64_t count_ = 0;
  double sum_ = 0;
  double min_ = std::numeric_limits<double>::infinity();
  double max_ = -std::numeric_limits<double>::infinity();
};

}  // namespace archsim
