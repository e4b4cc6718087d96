#include "sim/cli/cmd_until_target.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <thread>
#include <unistd.h>

#include "analysis/output_dir.h"
#include "analysis/result_json.h"
#include "analysis/target_search.h"
#include "analysis/targets.h"
#include "sim/cli/cli_common.h"
#include "sim/cli/job_runner.h"

namespace archsim::cli {

namespace fs = std::filesystem;

namespace {

// "10000/s" -> "/s": the unit the swept values are written in, kept for every probe.
std::string unit_suffix(const std::string& value)
{
  size_t i = 0;
  while (i < value.size() && (std::isdigit(static_cast<unsigned char>(value[i])) || value[i] == '.'))
    ++i;
  return value.substr(i);
}

std::string format_value(double v, bool integer, const std::string& suffix)
{
  return (integer ? fmt::format("{:.0f}", v) : fmt::format("{:.6g}", v)) + suffix;
}

// Whether every replication of the probe met all targets; the first miss as "text: measured".
SearchProbe judge(const ExperimentPlan& plan, const std::string& dir, double value)
{
  SearchProbe probe{value, true, ""};
  for (const auto& job : plan.jobs) {
    std::ifstream f(job_dir(dir, job) + "/summary.json");
    nlohmann::json r = nlohmann::json::parse(f, nullptr, false);
    if (r.is_discarded()) {
      probe.met    = false;
      probe.missed = "the run failed";
      return probe;
    }
    for (const auto& c : evaluate_targets(r))
      if (!c.met) {
        probe.met    = false;
        probe.missed = c.missing ? c.text + ": not measured" : c.text + ": measured " + format_quantity(c.measured, unit_from_name(c.unit));
        return probe;
      }
  }
  return probe;
}

}  // namespace

int run_until_target(const ExperimentArgs& args, const SweepParam& param, uint64_t master_seed, const std::string& dir)
{
  const std::string& first = param.axis.values.front();
  const std::string& last  = param.axis.values.back();
  const std::string suffix = unit_suffix(first);
  double low = param.numbers.front(), high = param.numbers.back();
  bool integer = first.find('.') == std::string::npos && last.find('.') == std::string::npos &&
                 std::floor(low) == low && std::floor(high) == high;
  size_t reps = args.replications ? args.replications : 1;
  size_t jobs = args.jobs ? args.jobs : std::max(1u, std::thread::hardware_concurrency());
  TargetSearch search(low, high, integer);
  fs::create_directories(dir);
  size_t k = 0;
  while (auto v = search.next()) {
    std::string text = format_value(*v, integer, suffix);
    SweepAxis axis{param.axis.path, {text}};
    ExperimentPlan plan  = sweep_plan(args.scenario, {axis}, {{*v}}, reps, master_seed);
    plan.base_variants   = args.variants;
    set_common(args, plan);
    std::string probe_dir = (fs::path(dir) / fmt::format("probe-{}", ++k)).string();
    fs::create_directories(probe_dir);
    write_text_file(probe_dir + "/plan.json", plan_to_json(plan).dump(2) + "\n");
    JobRunReport report = run_jobs(plan, probe_dir, jobs, false);
    SearchProbe probe   = judge(plan, probe_dir, *v);
    search.record(probe);
    if (!args.quiet)
      fmt::print(stderr, "  probe {}: {} = {}: {}\n", k, param.axis.path, text,
                 probe.met ? "meets all targets" : "misses " + probe.missed);
    if (!report.failed.empty()) {
      fmt::print(stderr, "archsim: error: probe {} failed: {}\n", k, report.failed.front());
      return kRunFailed;
    }
  }
  auto fmt_value = [&](double v) { return format_value(v, integer, suffix); };
  std::string sentence = search.sentence(param.axis.path, fmt_value);
  std::string md = fmt::format("# Until target: {}\n\n{}\n\n| probe | {} | all targets | first miss |\n|---|---|---|---|\n",
                               args.scenario, sentence, param.axis.path);
  for (size_t i = 0; i < search.probes().size(); ++i) {
    const auto& p = search.probes()[i];
    md += fmt::format("| {} | {} | {} | {} |\n", i + 1, fmt_value(p.value), p.met ? "met" : "missed", p.missed);
  }
  write_text_file((fs::path(dir) / "until-target.md").string(), md);
  fmt::print("{}\n", sentence);
  if (!args.quiet)
    fmt::print(stderr, "Wrote {}/until-target.md (probes in {}/probe-N)\n", dir, dir);
  return search.outcome() == TargetSearch::Outcome::Found ? kOk : kTargetMissed;
}

}  // namespace archsim::cli
