#pragma once
// Scenario loading: YAML file -> variants and --set overrides applied on the tree -> typed,
// validated Scenario. All errors are collected; none is fatal until the end.
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/scenario/scenario.h"
#include "sim/scenario/yaml_tree.h"

namespace archsim {

// The models the loader may instantiate. Built by models/registry.cpp; the scenario layer only
// sees their tables, never their SimGrid code.
struct ModelCatalog {
  std::vector<const ModelSpec*> models;
  const ModelSpec* find(const std::string& name) const;
  std::vector<std::string> names(bool placed_only = false) const;
};

struct LoadOptions {
  std::vector<std::string> variants;                       // applied in order
  std::vector<std::pair<std::string, std::string>> sets;   // --set path=value, applied last
  std::vector<std::string> faults;  // --fault '{at: 30s, crash: db, for: 10s}': appended to faults:
  std::optional<uint64_t> seed;
  std::optional<double> duration;
  std::optional<double> warmup;
};

std::optional<Scenario> load_scenario(const std::string& path, const ModelCatalog& catalog,
                                      const LoadOptions& options, Diagnostics& diags);
std::optional<Scenario> load_scenario_text(const std::string& text, const std::string& name,
                                           const ModelCatalog& catalog, const LoadOptions& options,
                                           Diagnostics& diags);

// Section readers (one file each), called by the loader. `unusable` holds the components that
// are declared but could not be read (no or unknown model): their own error is reported once,
// and references to them are not reported again.
void read_run(const YNode& node, RunSettings& run, Diagnostics& diags);
void read_platform(const YNode* node, PlatformSpec& platform, Diagnostics& diags);
void read_data(const YNode& node, Scenario& scenario, Diagnostics& diags);
std::vector<Step> read_flow(const YNode& node, const std::string& path, const Scenario& scenario,
                            const ModelCatalog& catalog, Diagnostics& diags,
                            const std::set<std::string>& unusable = {});
void read_targets(const YNode& node, Scenario& scenario, const ModelCatalog& catalog, Diagnostics& diags,
                  const std::set<std::string>& unusable = {});
void read_faults(const YNode& node, Scenario& scenario, const ModelCatalog& catalog, Diagnostics& diags,
                 const std::set<std::string>& unusable = {});
std::shared_ptr<const Popularity> read_popularity(const YNode& node, uint64_t keys, const std::string& path,
                                                  Diagnostics& diags);

}  // namespace archsim
