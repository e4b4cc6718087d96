#include "sim/engine/metrics.h"

#include <algorithm>

namespace archsim {

namespace {
// Per-window histograms only feed the p99-over-time plot: 2% resolution is plenty there and
// keeps a 1-hour run's series small.
constexpr double kWindowHistogramError = 0.02;
}  // namespace

void WindowSeries::add(size_t window, double latency_s, bool success)
{
  if (ok.size() <= window) {
    ok.resize(window + 1, 0);
    errors.resize(window + 1, 0);
    latency.resize(window + 1, LogHistogram(kWindowHistogramError));
  }
  if (success) {
    ++ok[window];
    latency[window].add(latency_s);
  } else {
    ++errors[window];
  }
}

void ClassMetrics::record_arrival(double arrival)
{
  if (arrival >= clock_->warmup)
    ++arrived;
}

void ClassMetrics::record_completion(double arrival, double now, bool success, bool timed_out,
                                     const std::string& kind)
{
  // The clock after sleep_until(t) can read a hair before t (floating point): a request
  // answered at once must not come out negative.
  double latency_s = std::max(0.0, now - arrival);
  series.add(clock_->window_index(now), latency_s, success);
  if (success && now >= clock_->warmup)
    ++completed_in_window;
  if (arrival < clock_->warmup)
    return;
  if (success) {
    ++ok;
    latency.add(latency_s);
    return;
  }
  ++errors;
  if (timed_out)
    ++timeouts;
  ++errors_by_kind[kind.empty() ? "error" : kind];
  error_latency.add(latency_s);
}

void ClassMetrics::record_drop(double arrival)
{
  series.add(clock_->window_index(arrival), 0, false);
  if (arrival < clock_->warmup)
    return;
  ++dropped;
  ++errors;
  ++errors_by_kind["client_backlog_full"];
}

ComponentMetrics::ComponentMetrics(const MetricClock& clock, std::string name, std::string model, size_t replicas)
    : clock_(&clock), name_(std::move(name)), model_(std::move(model)), replicas_(replicas)
{
}

ComponentMetrics::Level& ComponentMetrics::declare_level(const std::string& name, double capacity_per_replica)
{
  Level& l   = levels_[name];
  l.capacity = capacity_per_replica;
  l.per_replica.assign(replicas_, TimeWeighted(clock_->window, clock_->warmup));
  return l;
}

void ComponentMetrics::residence(double arrival_at_component, double now)
{
  if (arrival_at_component >= clock_->warmup)
    residence_.add(std::max(0.0, now - arrival_at_component));
}

void ComponentMetrics::count(double now, const std::string& counter, double amount)
{
  // Counters follow the warm-up cut like every other statistic.
  if (now < clock_->warmup)
    return;
  counters_[counter] += amount;
}

void ComponentMetrics::finish(double end)
{
  for (auto& [name, l] : levels_)
    for (auto& r : l.per_replica)
      r.finish(end);
}

ClassMetrics& MetricsRegistry::add_class(const std::string& name)
{
  classes.push_back(std::make_unique<ClassMetrics>(clock));
  classes.back()->name = name;
  return *classes.back();
}

ComponentMetrics& MetricsRegistry::add_component(const std::string& name, const std::string& model, size_t replicas)
{
  components.push_back(std::make_unique<ComponentMetrics>(clock, name, model, replicas));
  return *components.back();
}

void MetricsRegistry::finish(double end)
{
  clock.end = end;
  for (auto& c : components)
    c->finish(end);
}

}  // namespace archsim
