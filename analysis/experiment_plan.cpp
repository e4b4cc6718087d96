#include "analysis/experiment_plan.h"

#include <filesystem>
#include <fmt/format.h>
#include <stdexcept>

#include "sim/core/rng.h"

namespace archsim {

uint64_t replication_seed(uint64_t master_seed, size_t replication)
{
  if (replication == 0)
    return master_seed;
  // Bounded to 53 bits so that the seed survives a round trip through JSON numbers anywhere.
  return stream_seed(master_seed, "replication", std::to_string(replication)) >> 11;
}

namespace {
void add_jobs(ExperimentPlan& plan, size_t group, const std::string& prefix)
{
  for (size_t r = 0; r < plan.replications; ++r)
    plan.jobs.push_back({fmt::format("{}.r{}", prefix, r), group, r, replication_seed(plan.master_seed, r)});
}
}  // namespace

ExperimentPlan compare_plan(const std::string& scenario, const std::vector<std::string>& variants,
                            size_t replications, uint64_t master_seed)
{
  ExperimentPlan plan;
  plan.kind         = "compare";
  plan.scenario     = scenario;
  plan.master_seed  = master_seed;
  plan.replications = replications;
  plan.groups.push_back({"base", {}, {}, {}});
  for (const auto& v : variants)
    plan.groups.push_back({v, {v}, {}, {}});
  for (size_t g = 0; g < plan.groups.size(); ++g)
    add_jobs(plan, g, plan.groups[g].label);
  return plan;
}

ExperimentPlan sweep_plan(const std::string& scenario, const std::vector<SweepAxis>& axes,
                          const std::vector<std::vector<double>>& si_values, size_t replications,
                          uint64_t master_seed)
{
  ExperimentPlan plan;
  plan.kind         = "sweep";
  plan.scenario     = scenario;
  plan.master_seed  = master_seed;
  plan.replications = replications;
  plan.axes         = axes;
  size_t points     = 1;
  for (const auto& a : axes)
    points *= a.values.size();
  for (size_t p = 0; p < points; ++p) {
    ExperimentGroup g;
    size_t rest = p;
    std::vector<size_t> index(axes.size());
    for (size_t a = axes.size(); a-- > 0;) {  // the last axis varies fastest
      index[a] = rest % axes[a].values.size();
      rest /= axes[a].values.size();
    }
    for (size_t a = 0; a < axes.size(); ++a) {
      const std::string& v = axes[a].values[index[a]];
      g.sets.emplace_back(axes[a].path, v);
      g.point.push_back(si_values.at(a).at(index[a]));
      std::string last = axes[a].path.substr(axes[a].path.rfind('.') + 1);
      g.label += (g.label.empty() ? "" : ", ") + last + "=" + v;
    }
    plan.groups.push_back(std::move(g));
    add_jobs(plan, p, fmt::format("p{}", p));
  }
  return plan;
}

std::string job_dir(const std::string& dir, const ExperimentJob& job)
{
  return (std::filesystem::path(dir) / "jobs" / job.id).string();
}

std::vector<std::string> job_argv(const ExperimentPlan& plan, const ExperimentJob& job, const std::string& archsim,
                                  const std::string& dir)
{
  const ExperimentGroup& g = plan.groups.at(job.group);
  std::vector<std::string> argv{archsim, "run", plan.scenario};
  std::vector<std::string> variants = plan.base_variants;
  variants.insert(variants.end(), g.variants.begin(), g.variants.end());
  for (const auto& v : variants) {
    argv.push_back("--variant");
    argv.push_back(v);
  }
  for (const auto* sets : {&plan.sets, &g.sets})
    for (const auto& [path, value] : *sets) {
      argv.push_back("--set");
      argv.push_back(path + "=" + value);
    }
  for (const auto& f : plan.faults) {
    argv.push_back("--fault");
    argv.push_back(f);
  }
  argv.push_back("--seed");
  argv.push_back(std::to_string(job.seed));
  if (plan.duration) {
    argv.push_back("--duration");
    argv.push_back(*plan.duration);
  }
  if (plan.warmup) {
    argv.push_back("--warmup");
    argv.push_back(*plan.warmup);
  }
  argv.push_back("--out");
  argv.push_back(job_dir(dir, job));
  argv.push_back("--quiet");
  argv.push_back("--missed-ok");
  return argv;
}

std::string shell_command(const std::vector<std::string>& argv)
{
  std::string out;
  for (const auto& a : argv) {
    bool plain = !a.empty() && a.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                                                   "_-./=:,+@%") == std::string::npos;
    std::string quoted = "'";
    for (char c : a)
      quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    quoted += "'";
    out += (out.empty() ? "" : " ") + (plain ? a : quoted);
  }
  return out;
}

nlohmann::json plan_to_json(const ExperimentPlan& plan)
{
  nlohmann::json j;
  j["schema"]        = kPlanSchema;
  j["kind"]          = plan.kind;
  j["scenario"]      = plan.scenario;
  j["duration"]      = plan.duration ? nlohmann::json(*plan.duration) : nlohmann::json();
  j["warmup"]        = plan.warmup ? nlohmann::json(*plan.warmup) : nlohmann::json();
  j["sets"]          = plan.sets;
  j["base_variants"] = plan.base_variants;
  j["faults"]        = plan.faults;
  j["master_seed"]   = plan.master_seed;
  j["replications"]  = plan.replications;
  j["axes"]          = nlohmann::json::array();
  for (const auto& a : plan.axes)
    j["axes"].push_back({{"path", a.path}, {"values", a.values}});
  j["groups"] = nlohmann::json::array();
  for (const auto& g : plan.groups)
    j["groups"].push_back({{"label", g.label}, {"variants", g.variants}, {"sets", g.sets}, {"point", g.point}});
  j["jobs"] = nlohmann::json::array();
  for (const auto& job : plan.jobs)
    j["jobs"].push_back({{"id", job.id}, {"group", job.group}, {"replication", job.replication}, {"seed", job.seed}});
  return j;
}

ExperimentPlan plan_from_json(const nlohmann::json& j)
{
  if (!j.is_object() || j.value("schema", "") != kPlanSchema)
    throw std::runtime_error(fmt::format("not an experiment plan (expected schema '{}')", kPlanSchema));
  try {
    ExperimentPlan plan;
    plan.kind     = j.at("kind").get<std::string>();
    plan.scenario = j.at("scenario").get<std::string>();
    if (!j.at("duration").is_null())
      plan.duration = j.at("duration").get<std::string>();
    if (!j.at("warmup").is_null())
      plan.warmup = j.at("warmup").get<std::string>();
    plan.sets          = j.at("sets").get<std::vector<std::pair<std::string, std::string>>>();
    plan.base_variants = j.at("base_variants").get<std::vector<std::string>>();
    plan.faults        = j.value("faults", std::vector<std::string>{});  // absent in plans before --fault
    plan.master_seed   = j.at("master_seed").get<uint64_t>();
    plan.replications  = j.at("replications").get<size_t>();
    for (const auto& a : j.at("axes"))
      plan.axes.push_back({a.at("path").get<std::string>(), a.at("values").get<std::vector<std::string>>()});
    for (const auto& g : j.at("groups"))
      plan.groups.push_back({g.at("label").get<std::string>(), g.at("variants").get<std::vector<std::string>>(),
                             g.at("sets").get<std::vector<std::pair<std::string, std::string>>>(),
                             g.at("point").get<std::vector<double>>()});
    for (const auto& job : j.at("jobs")) {
      ExperimentJob e{job.at("id").get<std::string>(), job.at("group").get<size_t>(),
                      job.at("replication").get<size_t>(), job.at("seed").get<uint64_t>()};
      if (e.group >= plan.groups.size())
        throw std::runtime_error("job " + e.id + " refers to a group that does not exist");
      plan.jobs.push_back(std::move(e));
    }
    if (plan.kind != "compare" && plan.kind != "sweep")
      throw std::runtime_error("unknown kind '" + plan.kind + "'");
    return plan;
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("malformed experiment plan: ") + e.what());
  }
}

}  // namespace archsim
