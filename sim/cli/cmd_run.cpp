// `archsim run`: load, simulate once, check targets, print the table, write the output folder.
#include "sim/cli/cmd_run.h"

#include <fmt/format.h>
#include <unistd.h>

#include "analysis/output_dir.h"
#include "analysis/run_table.h"
#include "analysis/targets.h"
#include "sim/cli/cli_common.h"
#include "sim/engine/run_driver.h"

namespace archsim::cli {

namespace {
bool parse_duration_arg(const std::optional<std::string>& text, const char* flag, std::optional<double>& out)
{
  if (!text)
    return true;
  std::string why;
  auto v = parse_quantity(*text, Unit::Duration, &why);
  if (!v || *v <= 0) {
    fmt::print(stderr, "archsim: error: {}: expected {}, got '{}'{}\n", flag, unit_expectation(Unit::Duration), *text,
               why.empty() ? "" : " (" + why + ")");
    return false;
  }
  out = *v;
  return true;
}
}  // namespace

int cmd_run(const RunArgs& args)
{
  LoadOptions options;
  options.variants = args.variants;
  for (const auto& s : args.sets) {
    auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0) {
      fmt::print(stderr, "archsim: error: --set: expected path.to.key=value, got '{}'\n", s);
      return kUsage;
    }
    options.sets.emplace_back(s.substr(0, eq), s.substr(eq + 1));
  }
  options.faults = args.faults;
  if (args.seed)
    options.seed = *args.seed;
  if (!parse_duration_arg(args.duration, "--duration", options.duration) ||
      !parse_duration_arg(args.warmup, "--warmup", options.warmup))
    return kUsage;
  auto sc = load_or_report(args.scenario, options);
  if (!sc)
    return kUsage;

  EngineOptions eo;
  eo.simgrid_args = args.simgrid_args;
  eo.argv         = args.argv;
  eo.progress     = !args.quiet && !args.no_progress && isatty(STDERR_FILENO);
  nlohmann::json result;
  try {
    result = run_simulation(*sc, eo);
  } catch (const std::exception& e) {
    fmt::print(stderr, "archsim: error: the simulation failed: {}\n", e.what());
    return kRunFailed;
  }
  auto checks = evaluate_targets(result);
  record_target_checks(result, checks);
  std::string table = format_run_table(result, checks, false);
  std::string out   = args.out;
  if (out.empty()) {
    out = "out/" + sc->name;
    for (const auto& v : sc->variants_applied)
      out += "+" + v;
  }
  std::vector<std::string> written;
  try {
    written = write_run_outputs(out, result, table);
  } catch (const std::exception& e) {
    fmt::print(stderr, "archsim: error: {}\n", e.what());
    return kRunFailed;
  }
  if (!args.quiet) {
    fmt::print("{}", table);
    fmt::print("\nWrote {}\n", fmt::join(written, ", "));
  }
  if (args.verbose)
    fmt::print(stderr, "engine: {} executor actors at peak, {:.2f}s wall\n",
               result["engine"]["executors_peak"].get<size_t>(), result["wall_time_s"].get<double>());
  if (!all_met(checks) && !args.missed_ok) {
    if (args.quiet)
      for (const auto& c : checks)
        if (!c.met)
          fmt::print("target missed: {}\n", c.text);
    return kTargetMissed;
  }
  return kOk;
}

}  // namespace archsim::cli
