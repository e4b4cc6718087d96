// archsim: the command-line entry point. Parses archsim's own arguments (CLI11); SimGrid's
// --cfg=/--log= options are set aside and handed to the engine untouched.
#include <CLI/CLI.hpp>
#include <cstring>
#include <fmt/format.h>
#include <simgrid/s4u.hpp>
#include <simgrid/version.h>

#include "archsim/version.h"
#include "sim/cli/cli_common.h"
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
  run_cmd->add_option("--seed", run.seed, "Master seed (default: run.seed in the file)");
  run_cmd->add_option("--duration", run.duration, "Simulated duration, e.g. 30s (default: run.duration)");
  run_cmd->add_option("--warmup", run.warmup, "Warm-up cut, e.g. 5s (default: run.warmup, or duration/5 when "
                                              "--duration is shorter than the file's warm-up)");
  run_cmd->add_option("--out", run.out, "Output folder for summary.json, timeseries.csv, latency.csv, report.md "
                                        "(default: out/SCENARIO[+VARIANTS])");
  run_cmd->add_flag("-q,--quiet", run.quiet, "Print nothing on success but missed targets");
  run_cmd->add_flag("-v,--verbose", run.verbose, "Also print the engine figures (executors, wall time)");
  run_cmd->add_flag("--no-progress", run.no_progress, "No progress line on stderr (it only shows on a terminal)");

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
