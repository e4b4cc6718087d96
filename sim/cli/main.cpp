// archsim: the command-line entry point. Parses archsim's own arguments (CLI11); SimGrid's
// --cfg=/--log= options are set aside and handed to the engine untouched.
#include <CLI/CLI.hpp>
#include <cstring>
#include <fmt/format.h>
#include <simgrid/s4u.hpp>
#include <simgrid/version.h>

#include "archsim/version.h"
#include "sim/cli/cli_common.h"
#include "sim/cli/cmd_experiment.h"
#include "sim/cli/cmd_run.h"

using namespace archsim;
using namespace archsim::cli;

namespace {
const char* const kDescription = R"(archsim: a discrete-event simulator of distributed-system designs (SimGrid).

A scenario (YAML) describes one design: platform, components, key spaces, workload, flows,
trade-off variants and targets. archsim simulates every request through real queues, threads,
links and stores, and reports what it measured.

Examples:
  archsim run scenarios/three_tier_web.yaml                 run the default scenario
  archsim run FILE --variant no_cache --duration 30s        run a trade-off variant
  archsim run FILE --set components.app.replicas=8          override one value
  archsim run FILE --fault '{at: 30s, crash: db, for: 10s}'  inject a fault (also pause, slow_cpu,
                                                            slow_disk, fail, partition, degrade)
  archsim compare FILE --replications 5                     base vs every variant, with 95% intervals
  archsim sweep FILE --param workload.read.rate=1000/s..64000/s:x2
                                                            find the load where the design breaks
  archsim sweep FILE --param components.app.replicas=1..32:+1 --until-target
                                                            the fewest replicas that meet every target
  archsim compare FILE --emit-jobs > jobs.txt               one command per job (GNU parallel, Slurm)
  archsim aggregate out/NAME-compare                        rebuild the report from the jobs' results
  archsim report out/NAME                                   re-render a folder's report, no simulation
  archsim validate scenarios/*.yaml                         check files without running them
  archsim describe service                                  a model's parameters and metrics
  archsim list                                              models and scenarios

Exit codes: 0 ok, 1 internal error, 2 usage or scenario error, 3 run failed, 99 a target missed.
SimGrid options (--cfg=..., --log=...) are passed through to the engine.
Formats and fields: docs/scenario-format.md, docs/run-result.md.)";
}  // namespace

int main(int argc, char** argv)
{
  // Set SimGrid's own options aside before CLI11 sees the command line.
  std::vector<std::string> simgrid_args;
  std::vector<char*> rest;
  std::vector<std::string> full_argv;
  for (int i = 0; i < argc; ++i) {
    full_argv.emplace_back(argv[i]);
    if (i > 0 && (std::strncmp(argv[i], "--cfg=", 6) == 0 || std::strncmp(argv[i], "--log=", 6) == 0))
      simgrid_args.emplace_back(argv[i]);
    else
      rest.push_back(argv[i]);
  }

  CLI::App app{kDescription, "archsim"};
  app.set_version_flag("--version", fmt::format("archsim {} (SimGrid {}.{})", ARCHSIM_VERSION,
                                                SIMGRID_VERSION_MAJOR, SIMGRID_VERSION_MINOR));
  app.require_subcommand(1);

  RunArgs run;
  auto* run_cmd = app.add_subcommand("run", "Simulate a scenario and report latency, throughput, utilisation, targets");
  run_cmd->add_option("scenario", run.scenario, "Scenario file (YAML)")->required();
  run_cmd->add_option("--variant", run.variants,
                      "Apply a variant (a named overlay in the file); repeat or comma-separate to compose, "
                      "applied in order")
      ->delimiter(',');
  run_cmd->add_option("--set", run.sets, "Override one value: path.to.key=value (YAML), e.g. "
                                         "--set workload.redirect.rate=20000/s; applied after variants");
  run_cmd->add_option("--fault", run.faults,
                      "Inject a fault, as an entry of faults: in YAML flow style; repeat for several, e.g. "
                      "--fault '{at: 30s, crash: cache, replica: 0, for: 15s}', '{at: 20s, pause: app, for: 1s}', "
                      "'{at: 20s, slow_disk: db, factor: 10, for: 10s}', '{at: 20s, fail: payments, rate: 30%}', "
                      "'{at: 20s, partition: [[clients, app], [db]], for: 5s}', "
                      "'{at: 20s, degrade: clients-access, latency: 10, loss: 1%}' (docs/scenario-format.md#faults)")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  run_cmd->add_option("--seed", run.seed, "Master seed (default: run.seed in the file)");
  run_cmd->add_option("--duration", run.duration, "Simulated duration, e.g. 30s (default: run.duration)");
  run_cmd->add_option("--warmup", run.warmup, "Warm-up cut, e.g. 5s (default: run.warmup, or duration/5 when "
                                              "--duration is shorter than the file's warm-up)");
  run_cmd->add_option("--out", run.out, "Output folder for summary.json, timeseries.csv, latency.csv, report.md, "
                                        "report.html, summary.txt (default: out/SCENARIO[+VARIANTS])");
  run_cmd->add_flag("-q,--quiet", run.quiet, "Print nothing on success but missed targets");
  run_cmd->add_flag("-v,--verbose", run.verbose, "Also print the engine figures (executors, wall time)");
  run_cmd->add_flag("--no-progress", run.no_progress, "No progress line on stderr (it only shows on a terminal)");
  run_cmd->add_flag("--missed-ok", run.missed_ok, "Exit 0 even when a target is missed (the jobs of compare and "
                                                  "sweep use it: a missed target is a result, not a failure)");

  // compare and sweep share their options.
  ExperimentArgs compare, sweep;
  auto experiment_options = [](CLI::App* cmd, ExperimentArgs& a, const char* variants_doc, const char* reps_doc) {
    cmd->add_option("scenario", a.scenario, "Scenario file (YAML)")->required();
    cmd->add_option("--variants,--variant", a.variants, variants_doc)->delimiter(',');
    cmd->add_option("--set", a.sets, "Override one value in every run: path.to.key=value (YAML)");
    cmd->add_option("--fault", a.faults, "Inject a fault in every run, as with `run --fault`")
        ->expected(1)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    cmd->add_option("--replications,-r", a.replications, reps_doc)->check(CLI::Range(1, 1000));
    cmd->add_option("--jobs,-j", a.jobs, "Runs at once, each a child process (default: the core count)")
        ->check(CLI::Range(1, 1024));
    cmd->add_option("--seed", a.seed, "Master seed; replication r of every run uses the same seed derived from it "
                                      "(common random numbers)");
    cmd->add_option("--duration", a.duration, "Simulated duration of every run, e.g. 30s");
    cmd->add_option("--warmup", a.warmup, "Warm-up cut of every run");
    cmd->add_option("--out", a.out, "Output folder: plan.json, jobs/ID/ (one run each), report.md, report.html, "
                                    "summary.txt (default: out/SCENARIO-compare or -sweep)");
    cmd->add_flag("--emit-jobs", a.emit_jobs, "Print one shell command per job instead of running them (for GNU "
                                              "parallel or a Slurm array); then run `archsim aggregate OUT`. Jobs "
                                              "whose result exists are skipped when run again");
    cmd->add_flag("-q,--quiet", a.quiet, "Print nothing but errors");
  };
  auto* compare_cmd = app.add_subcommand("compare", "Run the base and trade-off variants side by side, with "
                                                    "replications, confidence intervals and paired differences");
  experiment_options(compare_cmd, compare, "Variants to compare with the base (default: all the file defines)",
                     "Replications per variant (default 5)");
  auto* sweep_cmd = app.add_subcommand("sweep", "Run a grid of parameter values and find the knee: where "
                                                "throughput falls below 95% of the offered load or p99 misses its "
                                                "target");
  experiment_options(sweep_cmd, sweep, "Variants applied to every point", "Replications per point (default 1)");
  sweep_cmd
      ->add_option("--param", sweep.params,
                   "PATH=VALUES to sweep: a list 'a,b,c', 'A..B:xK' (multiply) or 'A..B:+K' (add), e.g. "
                   "workload.read.rate=1000/s..64000/s:x2; several --param make a grid")
      ->required();
  sweep_cmd->add_flag("--until-target", sweep.until_target,
                      "Bisect one --param A..B for the boundary of the targets: the largest value that meets all "
                      "of them (a load) or the smallest (a replica count), to 1% of the range or the nearest whole "
                      "value; probes run in OUT/probe-N, the answer in OUT/until-target.md");
  std::string aggregate_dir;
  bool aggregate_quiet = false;
  auto* aggregate_cmd = app.add_subcommand("aggregate", "Build the report of a compare or sweep folder from the "
                                                        "results its jobs wrote (after --emit-jobs)");
  aggregate_cmd->add_option("dir", aggregate_dir, "The experiment's --out folder (holds plan.json)")->required();
  aggregate_cmd->add_flag("-q,--quiet", aggregate_quiet, "Print nothing but errors");

  std::string report_dir;
  bool report_quiet = false;
  auto* report_cmd  = app.add_subcommand("report", "Re-render the report of an output folder (run, compare or "
                                                   "sweep) from its results, without simulating");
  report_cmd->add_option("dir", report_dir, "An --out folder")->required();
  report_cmd->add_flag("-q,--quiet", report_quiet, "Print nothing but errors");

  std::vector<std::string> files;
  auto* validate_cmd = app.add_subcommand("validate", "Check scenario files (and each of their variants) without running them");
  validate_cmd->add_option("files", files, "Scenario files")->required();

  std::vector<std::string> models;
  auto* describe_cmd = app.add_subcommand("describe", "Print a model's parameters (type, unit, default, limits, "
                                                      "source) and metrics; all models without MODEL");
  describe_cmd->add_option("model", models, "Model name(s)");

  auto* list_cmd = app.add_subcommand("list", "List the models and the scenarios");

  try {
    app.parse(static_cast<int>(rest.size()), rest.data());
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kOk : kUsage;
  }
  try {
    if (*run_cmd) {
      run.simgrid_args = simgrid_args;
      run.argv         = full_argv;
      return cmd_run(run);
    }
    if (*compare_cmd)
      return cmd_compare(compare);
    if (*sweep_cmd)
      return cmd_sweep(sweep);
    if (*aggregate_cmd)
      return cmd_aggregate(aggregate_dir, aggregate_quiet);
    if (*report_cmd)
      return cmd_report(report_dir, report_quiet);
    if (*validate_cmd)
      return cmd_validate(files);
    if (*describe_cmd)
      return cmd_describe(models);
    if (*list_cmd)
      return cmd_list();
  } catch (const std::exception& e) {
    fmt::print(stderr, "archsim: internal error: {}\n", e.what());
    return kInternal;
  }
  return kUsage;
}
