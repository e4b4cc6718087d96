#pragma once
// Open-loop arrival processes: given the current time, when does the next request arrive?
// Homogeneous ones are sampled directly; time-varying ones (step, spike, diurnal) by thinning a
// Poisson process at the peak rate (Lewis & Shedler), which is exact for any rate function.
#include <functional>
#include <memory>

#include "sim/core/rng.h"
#include "sim/scenario/param_table.h"

namespace archsim {

class ArrivalProcess {
public:
  virtual ~ArrivalProcess() = default;
  // The next arrival strictly after `now`.
  virtual double next(double now, Rng& rng) = 0;
};

// Builds the process a request class's parameters describe (arrivals: poisson | constant |
// bursty | step | spike | diurnal). Not for `closed`, which has no arrival process.
std::unique_ptr<ArrivalProcess> make_arrival_process(const ParamValues& params);

// The rate a class offers at time t (for reports and thinning); 0 for closed loops.
double offered_rate(const ParamValues& params, double t);

}  // namespace archsim
