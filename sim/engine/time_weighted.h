#pragma once
// Integrates a piecewise-constant quantity over simulated time (busy cores, queue length),
// both per time-series window and over the measured period after warm-up. This is how
// utilisation and mean queue length are measured rather than sampled.
#include <vector>

namespace archsim {

class TimeWeighted {
public:
  TimeWeighted(double window, double warmup) : window_(window), warmup_(warmup) {}
  void add(double now, double delta)
  {
    advance(now);
    value_ += delta;
  }
  double value() const { return value_; }
  void finish(double end) { advance(end); }
  // Mean value over [warmup, end]; call finish(end) first.
  double mean_after_warmup(double end) const { return end > warmup_ ? measured_area_ / (end - warmup_) : 0; }
  // Mean value in each window [k*w, (k+1)*w); the last one may be partial.
  std::vector<double> window_means(double end) const;

private:
  void advance(double now);
  double window_;
  double warmup_;
  double value_        = 0;
  double last_         = 0;
  double measured_area_ = 0;
  std::vector<double> window_area_;
};

}  // namespace archsim
