#pragma once
// Runs the jobs of an experiment as child processes (`archsim run ...` with the job's own
// arguments), at most `jobs` at once. A job whose folder already holds a readable summary.json
// is skipped, so an interrupted experiment resumes where it stopped. Each child's stderr goes
// to its folder's stderr.txt. Progress goes to stderr when it is a terminal.
#include <string>
#include <vector>

#include "analysis/experiment_plan.h"

namespace archsim::cli {

struct JobRunReport {
  size_t ran     = 0;
  size_t skipped = 0;  // already had a result
  std::vector<std::string> failed;  // "ID (exit 3, see DIR/stderr.txt)"
};

// The path of the running archsim binary (for the children and for --emit-jobs).
std::string self_path();

JobRunReport run_jobs(const ExperimentPlan& plan, const std::string& dir, size_t jobs, bool progress);

}  // namespace archsim::cli
