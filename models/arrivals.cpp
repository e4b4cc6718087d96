#include "models/arrivals.h"

#include <cmath>

namespace archsim {

namespace {
double exp_gap(double rate, Rng& rng) { return -std::log(rng.uniform01()) / rate; }

class Poisson : public ArrivalProcess {
public:
  explicit Poisson(double rate) : rate_(rate) {}
  double next(double now, Rng& rng) override { return now + exp_gap(rate_, rng); }

private:
  double rate_;
};

class Constant : public ArrivalProcess {
public:
  explicit Constant(double rate) : gap_(1.0 / rate) {}
  double next(double, Rng&) override { return next_ += gap_; }

private:
  double gap_;
  double next_ = 0;
};

// On/off (a two-state Markov-modulated Poisson process): Poisson at `rate` during "on" periods,
// silent during "off" periods; both period lengths are exponential with the given means.
class OnOff : public ArrivalProcess {
public:
  OnOff(double rate, double on_mean, double off_mean) : rate_(rate), on_(on_mean), off_(off_mean) {}
  double next(double now, Rng& rng) override
  {
    if (!started_) {
      started_    = true;
      period_end_ = exp_gap(1.0 / on_, rng);
    }
    double t = now;
    while (true) {
      double candidate = t + exp_gap(rate_, rng);
      if (candidate <= period_end_)
        return candidate;
      // The on period ended first: skip the off period that follows and start a new on period.
      t           = period_end_ + exp_gap(1.0 / off_, rng);
      period_end_ = t + exp_gap(1.0 / on_, rng);
    }
  }

private:
  double rate_, on_, off_;
  bool started_      = false;
  double period_end_ = 0;
};

class Thinned : public ArrivalProcess {
public:
  Thinned(std::function<double(double)> rate, double peak) : rate_(std::move(rate)), peak_(peak) {}
  double next(double now, Rng& rng) override
  {
    double t = now;
    while (true) {
      t += exp_gap(peak_, rng);
      if (rng.uniform01() * peak_ <= rate_(t))
        return t;
    }
  }

private:
  std::function<double(double)> rate_;
  double peak_;
};

constexpr double kTwoPi = 6.283185307179586;
}  // namespace

double offered_rate(const ParamValues& p, double t)
{
  const std::string& kind = p.text("arrivals");
  double rate             = p.has("rate") ? p.number("rate") : 0;
  if (kind == "closed")
    return 0;
  if (kind == "step")
    return t < p.number("at") ? rate : p.number("to_rate");
  if (kind == "spike")
    return (t >= p.number("at") && t < p.number("at") + p.number("for")) ? p.number("to_rate") : rate;
  if (kind == "diurnal")
    return rate * (1 + p.number("amplitude") * std::sin(kTwoPi * t / p.number("period")));
  if (kind == "bursty")
    return rate * p.number("on") / (p.number("on") + p.number("off"));  // long-run mean
  return rate;
}

std::unique_ptr<ArrivalProcess> make_arrival_process(const ParamValues& p)
{
  const std::string& kind = p.text("arrivals");
  double rate             = p.number("rate");
  if (kind == "poisson")
    return std::make_unique<Poisson>(rate);
  if (kind == "constant")
    return std::make_unique<Constant>(rate);
  if (kind == "bursty")
    return std::make_unique<OnOff>(rate, p.number("on"), p.number("off"));
  double peak = rate;
  if (kind == "step" || kind == "spike")
    peak = std::max(rate, p.number("to_rate"));
  if (kind == "diurnal")
    peak = rate * (1 + p.number("amplitude"));
  ParamValues copy = p;
  return std::make_unique<Thinned>([copy](double t) { return offered_rate(copy, t); }, peak);
}

}  // namespace archsim
