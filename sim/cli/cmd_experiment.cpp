#include "sim/cli/cmd_experiment.h"

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <thread>
#include <unistd.h>

#include "analysis/compare_html.h"
#include "analysis/compare_summary.h"
#include "analysis/experiment_plan.h"
#include "analysis/output_dir.h"
#include "analysis/report_html.h"
#include "analysis/report_md.h"
#include "analysis/run_table.h"
#include "analysis/targets.h"
#include "analysis/sweep_html.h"
#include "analysis/sweep_summary.h"
#include "analysis/sweep_values.h"
#include "analysis/text_table.h"
#include "sim/cli/cli_common.h"
#include "sim/cli/cmd_until_target.h"
#include "sim/cli/job_runner.h"

namespace archsim::cli {

namespace fs = std::filesystem;

namespace {

constexpr size_t kDefaultCompareReplications = 5;
constexpr size_t kDefaultSweepReplications   = 1;
constexpr size_t kMaxJobs                    = 100000;

// Loads the scenario with the common options, to check it (and its variants) before any job
// runs: errors are reported once here rather than once per job.
std::optional<Scenario> check_scenario(const ExperimentArgs& args, const std::vector<std::string>& variants)
{
  LoadOptions o;
  o.variants = variants;
  for (const auto& s : args.sets) {
    auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0) {
      fmt::print(stderr, "archsim: error: --set: expected path.to.key=value, got '{}'\n", s);
      return std::nullopt;
    }
    o.sets.emplace_back(s.substr(0, eq), s.substr(eq + 1));
  }
  o.faults = args.faults;
  return load_or_report(args.scenario, o);
}

std::string default_out(const std::string& kind, const Scenario& sc) { return "out/" + sc.name + "-" + kind; }

bool read_json(const std::string& path, nlohmann::json& out)
{
  std::ifstream f(path);
  if (!f)
    return false;
  try {
    out = nlohmann::json::parse(f);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

// Writes DIR/plan.json; refuses a folder that holds another experiment's plan.
bool write_plan(const ExperimentPlan& plan, const std::string& dir)
{
  fs::create_directories(dir);
  std::string path = (fs::path(dir) / "plan.json").string();
  nlohmann::json j = plan_to_json(plan);
  nlohmann::json old;
  if (fs::exists(path) && read_json(path, old) && old != j) {
    fmt::print(stderr,
               "archsim: error: {} holds a different experiment (its plan.json differs); choose another --out or "
               "delete the folder\n",
               dir);
    return false;
  }
  write_text_file(path, j.dump(2) + "\n");
  return true;
}

int launch(const ExperimentPlan& plan, const ExperimentArgs& args, const std::string& dir)
{
  if (plan.jobs.size() > kMaxJobs) {
    fmt::print(stderr, "archsim: error: {} jobs; at most {} per experiment\n", plan.jobs.size(), kMaxJobs);
    return kUsage;
  }
  if (!write_plan(plan, dir))
    return kUsage;
  if (args.emit_jobs) {
    for (const auto& job : plan.jobs)
      fmt::print("{}\n", shell_command(job_argv(plan, job, self_path(), dir)));
    fmt::print(stderr, "# {} jobs; when they are done: {} aggregate {}\n", plan.jobs.size(), self_path(), dir);
    return kOk;
  }
  size_t jobs = args.jobs ? args.jobs : std::max(1u, std::thread::hardware_concurrency());
  if (!args.quiet)
    fmt::print(stderr, "{} {}: {} jobs ({} groups x {} replications), {} at a time, in {}\n", plan.kind,
               plan.scenario, plan.jobs.size(), plan.groups.size(), plan.replications, jobs, dir);
  JobRunReport report = run_jobs(plan, dir, jobs, !args.quiet && isatty(STDERR_FILENO));
  if (!args.quiet && report.skipped > 0)
    fmt::print(stderr, "{} jobs already had a result and were skipped\n", report.skipped);
  for (const auto& f : report.failed)
    fmt::print(stderr, "archsim: error: job {} failed\n", f);
  int code = cmd_aggregate(dir, args.quiet);
  return report.failed.empty() ? code : kRunFailed;
}

}  // namespace

// What every job of the experiment shares: duration, warm-up and --set overrides.
void set_common(const ExperimentArgs& args, ExperimentPlan& plan)
{
  plan.duration = args.duration;
  plan.warmup   = args.warmup;
  plan.faults   = args.faults;
  for (const auto& s : args.sets) {
    auto eq = s.find('=');
    plan.sets.emplace_back(s.substr(0, eq), s.substr(eq + 1));
  }
}

int cmd_compare(const ExperimentArgs& args)
{
  auto sc = check_scenario(args, {});
  if (!sc)
    return kUsage;
  std::vector<std::string> variants = args.variants;
  if (variants.empty())
    for (const auto& v : sc->variants)
      variants.push_back(v.name);
  for (const auto& v : variants)
    if (!check_scenario(args, {v}))
      return kUsage;
  if (variants.empty())
    fmt::print(stderr, "note: {} defines no variants; comparing the base with itself over replications only\n",
               args.scenario);
  size_t reps         = args.replications ? args.replications : kDefaultCompareReplications;
  ExperimentPlan plan = compare_plan(args.scenario, variants, reps, args.seed ? *args.seed : sc->run.seed);
  set_common(args, plan);
  return launch(plan, args, args.out.empty() ? default_out("compare", *sc) : args.out);
}

int cmd_sweep(const ExperimentArgs& args)
{
  auto sc = check_scenario(args, args.variants);
  if (!sc)
    return kUsage;
  if (args.params.empty()) {
    fmt::print(stderr, "archsim: error: sweep: expected at least one --param PATH=VALUES\n");
    return kUsage;
  }
  if (args.until_target && (args.params.size() != 1 || args.emit_jobs)) {
    fmt::print(stderr, "archsim: error: --until-target searches one --param A..B (and runs its probes itself: "
                       "no --emit-jobs)\n");
    return kUsage;
  }
  if (args.until_target && sc->targets.empty()) {
    fmt::print(stderr, "archsim: error: --until-target: the scenario has no targets to meet\n");
    return kUsage;
  }
  std::vector<SweepAxis> axes;
  std::vector<std::vector<double>> numbers;
  size_t points = 1;
  for (const auto& text : args.params) {
    std::string error;
    auto p = parse_sweep_param(text, error);
    if (!p) {
      fmt::print(stderr, "archsim: error: --param: {}\n", error);
      return kUsage;
    }
    // Every value must make a valid scenario: check the first and the last now.
    for (const std::string* v : {&p->axis.values.front(), &p->axis.values.back()}) {
      ExperimentArgs probe = args;
      probe.sets.push_back(p->axis.path + "=" + *v);
      if (!check_scenario(probe, args.variants))
        return kUsage;
    }
    if (args.until_target)
      return run_until_target(args, *p, args.seed ? *args.seed : sc->run.seed,
                              args.out.empty() ? default_out("until-target", *sc) : args.out);
    points *= p->axis.values.size();
    axes.push_back(p->axis);
    numbers.push_back(p->numbers);
  }
  size_t reps = args.replications ? args.replications : kDefaultSweepReplications;
  if (points * reps > kMaxJobs) {
    fmt::print(stderr, "archsim: error: the grid has {} points x {} replications; at most {} jobs\n", points, reps,
               kMaxJobs);
    return kUsage;
  }
  ExperimentPlan plan = sweep_plan(args.scenario, axes, numbers, reps, args.seed ? *args.seed : sc->run.seed);
  plan.base_variants  = args.variants;
  set_common(args, plan);
  return launch(plan, args, args.out.empty() ? default_out("sweep", *sc) : args.out);
}

int cmd_aggregate(const std::string& dir, bool quiet)
{
  nlohmann::json j;
  std::string path = (fs::path(dir) / "plan.json").string();
  if (!read_json(path, j)) {
    fmt::print(stderr, "archsim: error: {}: no readable plan.json (is this the --out folder of a compare or a "
                       "sweep?)\n",
               dir);
    return kUsage;
  }
  ExperimentPlan plan;
  try {
    plan = plan_from_json(j);
  } catch (const std::exception& e) {
    fmt::print(stderr, "archsim: error: {}: {}\n", path, e.what());
    return kUsage;
  }
  std::vector<std::optional<nlohmann::json>> results;
  for (const auto& job : plan.jobs) {
    nlohmann::json r;
    bool ok = read_json((fs::path(job_dir(dir, job)) / "summary.json").string(), r) && r.is_object();
    results.push_back(ok ? std::optional<nlohmann::json>(std::move(r)) : std::nullopt);
  }
  std::string text, md, html;
  std::vector<std::string> missing;
  // The same sentence on every page when jobs have no result yet.
  auto missing_note = [&](const std::vector<std::string>& jobs) {
    return jobs.empty() ? std::string()
                        : fmt::format("{} of {} jobs have no result yet ({}{}); the figures leave them out",
                                      jobs.size(), plan.jobs.size(), jobs.front(), jobs.size() > 1 ? ", ..." : "");
  };
  if (plan.kind == "compare") {
    CompareSummary s = summarize_compare(plan, results);
    missing          = s.missing_jobs;
    std::string head = fmt::format("compare {}: {} vs base, {} replication{} each (95% intervals; (+x%) = paired "
                                   "difference from the base, * = significant)",
                                   plan.scenario, fmt::join(std::vector<std::string>(s.groups.begin() + 1, s.groups.end()), ", "),
                                   s.replications, s.replications == 1 ? "" : "s");
    text = head + "\n\n" + render_text_table(compare_table(s));
    md   = "# " + head + "\n\n" + render_markdown_table(compare_table(s));
    if (!s.targets.empty()) {
      text += "\nTargets\n" + render_text_table(verdict_table(s));
      md += "\n## Targets\n\n" + render_markdown_table(verdict_table(s));
      for (const auto& line : verdict_lines(s)) {
        text += line + "\n";
        md += "- " + line + "\n";
      }
    }
    html = format_compare_html(head, plan, s, results, missing.empty() ? std::vector<std::string>{}
                                                                       : std::vector<std::string>{missing_note(missing)});
  } else {
    SweepSummary s = summarize_sweep(plan, results);
    missing        = s.missing_jobs;
    std::string head = fmt::format("sweep {}: {} points x {} replication{}", plan.scenario, plan.groups.size(),
                                   plan.replications, plan.replications == 1 ? "" : "s");
    text = head + "\n\n" + render_text_table(sweep_table(s)) + "\n" + s.knee_sentence + "\n";
    md   = "# " + head + "\n\n" + render_markdown_table(sweep_table(s)) + "\n**" + s.knee_sentence + "**\n";
    html = format_sweep_html(head, plan, s, results, missing.empty() ? std::vector<std::string>{}
                                                                     : std::vector<std::string>{missing_note(missing)});
  }
  if (!missing.empty()) {
    std::string note = "\nwarning: " + missing_note(missing) + "\n";
    text += note;
    md += note;
  }
  write_text_file((fs::path(dir) / "report.md").string(), md);
  write_text_file((fs::path(dir) / "report.html").string(), html);
  write_text_file((fs::path(dir) / "summary.txt").string(), text);
  if (!quiet)
    fmt::print("{}\nWrote {}/report.md, {}/report.html, {}/summary.txt\n", text, dir, dir, dir);
  return missing.empty() ? kOk : kRunFailed;
}

int cmd_report(const std::string& dir, bool quiet)
{
  if (fs::exists(fs::path(dir) / "plan.json"))
    return cmd_aggregate(dir, quiet);
  nlohmann::json result;
  std::string path = (fs::path(dir) / "summary.json").string();
  if (!read_json(path, result) || !result.is_object() || !result.contains("schema")) {
    fmt::print(stderr, "archsim: error: {}: no readable summary.json or plan.json (expected the --out folder of "
                       "run, compare or sweep)\n",
               dir);
    return kUsage;
  }
  std::vector<TargetCheck> checks;
  try {
    checks = recorded_target_checks(result);
  } catch (const std::exception& e) {
    fmt::print(stderr, "archsim: error: {}: {}\n", path, e.what());
    return kUsage;
  }
  std::string table = format_run_table(result, checks, false);
  write_text_file((fs::path(dir) / "summary.txt").string(), table);
  write_text_file((fs::path(dir) / "report.md").string(), format_report_md(result, checks));
  write_text_file((fs::path(dir) / "report.html").string(), format_report_html(result, checks));
  if (!quiet)
    fmt::print("{}\nWrote {}/report.md, {}/report.html, {}/summary.txt\n", table, dir, dir, dir);
  return kOk;
}

}  // namespace archsim::cli
