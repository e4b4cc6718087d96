#pragma once
// An experiment is many runs of one scenario: the base and its variants (`archsim compare`) or a
// grid of parameter values (`archsim sweep`), each replicated. Every run is an independent job
// with a self-contained command line (`archsim run ... --out DIR/jobs/ID`), so jobs can run as
// local child processes, under GNU parallel or as a Slurm array (`--emit-jobs`), and `archsim
// aggregate DIR` rebuilds the same report from their summary.json files. The plan is written
// to DIR/plan.json before any job runs.
//
// Seeds: replication r of every variant and every sweep point runs with the same seed (common
// random numbers: RNG streams are keyed by component and purpose, so two variants see the same
// arrivals and draws wherever they agree). This is what makes the paired comparison of a
// variant with the base sharp. Replication 0 uses the master seed, so it reproduces a plain
// `archsim run`.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace archsim {

constexpr const char* kPlanSchema = "archsim.plan/1";

struct ExperimentJob {
  std::string id;     // "base.r0", "no_cache.r3", "p2.r1": also its folder under jobs/
  size_t group = 0;   // index into ExperimentPlan::groups (a variant or a sweep point)
  size_t replication = 0;
  uint64_t seed      = 0;
};

// What the jobs of one group share: the variants applied and the --set overrides.
struct ExperimentGroup {
  std::string label;  // "base", "no_cache", "rate=20000/s"
  std::vector<std::string> variants;
  std::vector<std::pair<std::string, std::string>> sets;
  std::vector<double> point;  // sweep: the swept values (SI), one per swept parameter
};

struct SweepAxis {
  std::string path;                 // "workload.redirect.rate"
  std::vector<std::string> values;  // as written on the command line ("20000/s")
};

struct ExperimentPlan {
  std::string kind;      // "compare" or "sweep"
  std::string scenario;  // the scenario file, as given
  std::optional<std::string> duration, warmup;  // --duration / --warmup, passed to every job
  std::vector<std::pair<std::string, std::string>> sets;  // --set, applied to every job
  std::vector<std::string> base_variants;                 // sweep: --variant applied to every point
  std::vector<std::string> faults;                        // --fault, injected in every job
  uint64_t master_seed = 1;
  size_t replications  = 1;
  std::vector<SweepAxis> axes;  // sweep only
  std::vector<ExperimentGroup> groups;
  std::vector<ExperimentJob> jobs;
};

// Seed of replication r: the master seed for r = 0, else a stream seed derived from it.
uint64_t replication_seed(uint64_t master_seed, size_t replication);

// Plan of `archsim compare`: the base ("base", no variant) then each variant, R replications.
ExperimentPlan compare_plan(const std::string& scenario, const std::vector<std::string>& variants,
                            size_t replications, uint64_t master_seed);

// Plan of `archsim sweep`: the cartesian product of the axes (first axis slowest), R
// replications per point. `si_values[a][k]` is axis a's k-th value in SI units (for plots).
ExperimentPlan sweep_plan(const std::string& scenario, const std::vector<SweepAxis>& axes,
                          const std::vector<std::vector<double>>& si_values, size_t replications,
                          uint64_t master_seed);

// The job's command line, `archsim` being the path of the binary to run and `dir` the
// experiment's output folder.
std::vector<std::string> job_argv(const ExperimentPlan& plan, const ExperimentJob& job, const std::string& archsim,
                                  const std::string& dir);
// The same, quoted for a POSIX shell (one line of `--emit-jobs`).
std::string shell_command(const std::vector<std::string>& argv);
// Where the job writes its summary.json.
std::string job_dir(const std::string& dir, const ExperimentJob& job);

nlohmann::json plan_to_json(const ExperimentPlan& plan);
// Throws std::runtime_error naming what is wrong when the JSON is not a plan.
ExperimentPlan plan_from_json(const nlohmann::json& j);

}  // namespace archsim
