#pragma once
// Measurements recorded by models and the flow runtime. Models only record; the RunResult
// builder turns these into JSON and analysis/ formats them. Latency counts from a request's
// scheduled arrival; requests that arrive during warm-up are left out of the statistics (but
// not of the time series, where the warm-up is shaded instead).
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sim/core/log_histogram.h"
#include "sim/engine/time_weighted.h"

namespace archsim {

struct MetricClock {
  double warmup = 0;
  double window = 1;
  double end    = 0;
  size_t window_index(double t) const { return t <= 0 ? 0 : static_cast<size_t>(t / window); }
};

// Per-window counters and a coarse latency histogram (for p99 over time).
struct WindowSeries {
  std::vector<uint64_t> ok;
  std::vector<uint64_t> errors;
  std::vector<LogHistogram> latency;
  void add(size_t window, double latency_s, bool success);
};

struct ClassMetrics {
  explicit ClassMetrics(const MetricClock& clock) : clock_(&clock) {}
  std::string name;
  uint64_t arrived  = 0;  // after warm-up
  uint64_t ok       = 0;
  uint64_t errors   = 0;  // failed requests (rejections, failed calls), timeouts included
  uint64_t timeouts = 0;  // failed because a timeout expired
  uint64_t dropped  = 0;  // never started: the client backlog was full
  // Successful completions during the measured period, whatever their arrival time: the
  // throughput X = C / T. (`ok` counts the requests that arrived after the warm-up and
  // succeeded; under overload many of those are still queued at the end.)
  uint64_t completed_in_window = 0;
  LogHistogram latency;        // successful requests
  LogHistogram error_latency;  // failed requests (time to the error)
  std::map<std::string, uint64_t> errors_by_kind;
  WindowSeries series;

  void record_arrival(double arrival);
  void record_completion(double arrival, double now, bool success, bool timed_out, const std::string& kind);
  void record_drop(double arrival);

private:
  const MetricClock* clock_;
};

// A component's measurements. Levels (busy cores, threads in use, queue length) are integrated
// over time per replica; counters are free-form but must be declared in the model's metric
// table, because targets and reports look them up by name.
class ComponentMetrics {
public:
  ComponentMetrics(const MetricClock& clock, std::string name, std::string model, size_t replicas);
  const std::string& name() const { return name_; }
  const std::string& model() const { return model_; }

  // Declares a level such as "cpu" (capacity: cores per replica) or "queue" (capacity 0: no
  // utilisation, only a mean). Its mean over capacity is reported as `<level>_utilisation`.
  // The returned handle stays valid for the run; models keep it (no lookup on the hot path).
  struct Level;
  Level& declare_level(const std::string& level, double capacity_per_replica);
  // Time a request spent at this component, from arrival to its response leaving.
  void residence(double arrival_at_component, double now);
  void count(double now, const std::string& counter, double amount = 1);
  void set_value(const std::string& metric, double value) { values_[metric] = value; }

  struct Level {
    double capacity = 0;
    std::vector<TimeWeighted> per_replica;
    // +1 when a core starts working (or a request starts waiting), -1 when it stops.
    void add(size_t replica, double now, double delta) { per_replica[replica].add(now, delta); }
  };
  size_t replicas() const { return replicas_; }
  const std::map<std::string, Level>& levels() const { return levels_; }
  const LogHistogram& residence_histogram() const { return residence_; }
  const std::map<std::string, double>& counters() const { return counters_; }
  const std::map<std::string, double>& values() const { return values_; }
  void finish(double end);

private:
  const MetricClock* clock_;
  std::string name_;
  std::string model_;
  size_t replicas_;
  std::map<std::string, Level> levels_;
  LogHistogram residence_;
  std::map<std::string, double> counters_;  // counted after warm-up
  std::map<std::string, double> values_;    // set at the end (e.g. hit ratio)
};

// When a fault of the scenario actually struck and ended (-1: not within the run).
struct FaultRecord {
  double began = -1;
  double ended = -1;
};

class MetricsRegistry {
public:
  MetricClock clock;
  std::vector<FaultRecord> faults;  // one per scenario fault, in order
  std::vector<std::unique_ptr<ClassMetrics>> classes;
  std::vector<std::unique_ptr<ComponentMetrics>> components;
  ClassMetrics& add_class(const std::string& name);
  ComponentMetrics& add_component(const std::string& name, const std::string& model, size_t replicas);
  void finish(double end);
};

}  // namespace archsim
