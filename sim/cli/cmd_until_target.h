#pragma once
// `archsim sweep --until-target`: bisection over one parameter for the largest load (or the
// smallest count) that meets every target; each probe is a small sweep of one point, run as
// child processes like any experiment job, in DIR/probe-N.
#include <cstdint>
#include <string>

#include "analysis/sweep_values.h"
#include "sim/cli/cmd_experiment.h"

namespace archsim::cli {

int run_until_target(const ExperimentArgs& args, const SweepParam& param, uint64_t master_seed,
                     const std::string& dir);

}  // namespace archsim::cli
