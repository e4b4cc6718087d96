#include "sim/core/log_histogram.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace archsim {

namespace {

const double kLowest = 1e-9;  // 1 ns
const double kHighest = 1e6;  // about 11.6 days
const double kNaN = std::numeric_limits<double>::quiet_NaN();

// ceil(x), except that x within 1e-9 (relative) above an integer counts as that integer, so
// that 0.99 * 100 = 99.00000000000001 gives rank 99, not 100.
uint64_t nearest_rank(double x) {
  const double r = std::round(x);
  if (std::fabs(x - r) <= 1e-9 * std::max(1.0, r)) return static_cast<uint64_t>(r);
  return static_cast<uint64_t>(std::ceil(x));
}

}  // namespace

LogHistogram::LogHistogram(double relative_error) : relative_error_(relative_error) {
  if (!(relative_error > 0 && relative_error < 1))
    throw std::invalid_argument("LogHistogram: relative_error must be in (0,1)");
  log_gamma_ = std::log((1 + relative_error) / (1 - relative_error));
  first_index_ = static_cast<int>(std::ceil(std::log(kLowest) / log_gamma_));
  last_index_ = static_cast<int>(std::ceil(std::log(kHighest) / log_gamma_));
}

int LogHistogram::index_of(double v) const {
  if (v <= kLowest) return first_index_;
  if (v >= kHighest) return last_index_;
  return static_cast<int>(std::ceil(std::log(v) / log_gamma_));
}

double LogHistogram::value_of(int index) const {
  // 2 gamma^i / (gamma + 1), written with exp so that no gamma^i overflows.
  return 2 * std::exp(index * log_gamma_) / (std::exp(log_gamma_) + 1);
}

double LogHistogram::lower_bound_of(int index) const { return std::exp((index - 1) * log_gamma_); }

void LogHistogram::cover(int index) {
  // Grow with slack (half the current size, at least 16 buckets) so that a slowly drifting
  // range costs amortised O(1) per new bucket; never beyond the 1 ns..1e6 s range.
  const int size = static_cast<int>(counts_.size());
  int lo = index, hi = index;
  if (size == 0) {
    lo = std::max(first_index_, index - 16);
    hi = std::min(last_index_, index + 16);
  } else {
    if (index >= offset_ && index < offset_ + size) return;
    const int slack = std::max(16, size / 2);
    lo = index < offset_ ? std::max(first_index_, index - slack) : offset_;
    hi = index < offset_ ? offset_ + size - 1 : std::min(last_index_, index + slack);
  }
  std::vector<uint64_t> grown(hi - lo + 1, 0);
  std::copy(counts_.begin(), counts_.end(), grown.begin() + (size > 0 ? offset_ - lo : 0));
  counts_ = std::move(grown);
  offset_ = lo;
}

void LogHistogram::add(double v, uint64_t n) {
  if (!(v >= 0 && std::isfinite(v)))
    throw std::invalid_argument("LogHistogram::add: value must be finite and >= 0, got " +
                                std::to_string(v));
  if (n == 0) return;
  const int index = index_of(v);
  cover(index);
  counts_[index - offset_] += n;
  count_ += n;
  sum_ += v * static_cast<double>(n);
  min_ = std::min(min_, v);
  max_ = std::max(max_, v);
}

void LogHistogram::merge(const LogHistogram& other) {
  if (other.relative_error_ != relative_error_)
    throw std::invalid_argument("LogHistogram::merge: relative errors differ (" +
                                std::to_string(relative_error_) + " vs " +
                                std::to_string(other.relative_error_) + ")");
  if (other.count_ == 0) return;
  cover(other.offset_);
  cover(other.offset_ + static_cast<int>(other.counts_.size()) - 1);
  for (size_t k = 0; k < other.counts_.size(); ++k)
    counts_[other.offset_ + static_cast<int>(k) - offset_] += other.counts_[k];
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

double LogHistogram::mean() const { return count_ ? sum_ / static_cast<double>(count_) : kNaN; }
double LogHistogram::min() const { return count_ ? min_ : kNaN; }
double LogHistogram::max() const { return count_ ? max_ : kNaN; }

double LogHistogram::quantile(double q) const {
  if (!(q >= 0 && q <= 1)) throw std::invalid_argument("LogHistogram::quantile: q must be in [0,1]");
  if (count_ == 0) return kNaN;
  const uint64_t rank = nearest_rank(q * static_cast<double>(count_));
  if (rank <= 1) return min_;
  if (rank >= count_) return max_;
  uint64_t seen = 0;
  for (size_t k = 0; k < counts_.size(); ++k) {
    seen += counts_[k];
    if (seen >= rank) return std::clamp(value_of(offset_ + static_cast<int>(k)), min_, max_);
  }
  return max_;  // unreachable: the counts add up to count_
}

double LogHistogram::fraction_above(double v) const {
  if (count_ == 0) return kNaN;
  if (v < min_) return 1;
  if (v >= max_) return 0;
  const int first_above = index_of(v) + 1 - offset_;  // within counts_, as min_ <= v < max_
  uint64_t above = 0;
  for (size_t k = std::max(0, first_above); k < counts_.size(); ++k) above += counts_[k];
  return static_cast<double>(above) / static_cast<double>(count_);
}

std::vector<std::pair<double, uint64_t>> LogHistogram::buckets() const {
  std::vector<std::pair<double, uint64_t>> out;
  for (size_t k = 0; k < counts_.size(); ++k)
    if (counts_[k]) out.emplace_back(lower_bound_of(offset_ + static_cast<int>(k)), counts_[k]);
  return out;
}

nlohmann::json LogHistogram::to_json() const {
  nlohmann::json buckets = nlohmann::json::array();
  for (size_t k = 0; k < counts_.size(); ++k)
    if (counts_[k]) buckets.push_back({offset_ + static_cast<int>(k), counts_[k]});
  return {{"relative_error", relative_error_},
          {"count", count_},
          {"sum", sum_},
          {"min", count_ ? nlohmann::json(min_) : nlohmann::json()},
          {"max", count_ ? nlohmann::json(max_) : nlohmann::json()},
          {"buckets", std::move(buckets)}};
}

LogHistogram LogHistogram::from_json(const nlohmann::json& j) {
  const auto fail = [](const std::string& why) {
    throw std::invalid_argument("LogHistogram::from_json: " + why);
  };
  try {
    LogHistogram h(j.at("relative_error").get<double>());
    for (const auto& b : j.at("buckets")) {
      const int index = b.at(0).get<int>();
      const uint64_t n = b.at(1).get<uint64_t>();
      if (b.size() != 2 || index < h.first_index_ || index > h.last_index_ || n == 0)
        fail("bad bucket " + b.dump());
      h.cover(index);
      h.counts_[index - h.offset_] += n;
      h.count_ += n;
    }
    if (h.count_ != j.at("count").get<uint64_t>()) fail("bucket counts do not add up to count");
    h.sum_ = j.at("sum").get<double>();
    if (h.count_ > 0) {
      h.min_ = j.at("min").get<double>();
      h.max_ = j.at("max").get<double>();
    }
    return h;
  } catch (const nlohmann::json::exception& e) {
    fail(e.what());
  }
  return LogHistogram();  // unreachable: fail() throws
}

}  // namespace archsim
