#pragma once
// Test helpers: load a scenario from inline YAML and simulate it in a child process (SimGrid
// allows one engine per process, and a test may need several runs).
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "models/registry.h"
#include "sim/engine/run_driver.h"

namespace archsim::test {

inline Scenario load_text(const std::string& yaml, const LoadOptions& options = {})
{
  Diagnostics diags;
  auto sc = load_scenario_text(yaml, "inline.yaml", model_catalog(), options, diags);
  if (!sc)
    throw std::runtime_error("scenario did not load:\n" + diags.str());
  return *sc;
}

inline nlohmann::json simulate(const std::string& yaml, const LoadOptions& options = {})
{
  return run_isolated(load_text(yaml, options), {});
}

inline nlohmann::json simulate_file(const std::string& path, const LoadOptions& options = {})
{
  Diagnostics diags;
  auto sc = load_scenario(path, model_catalog(), options, diags);
  if (!sc)
    throw std::runtime_error("scenario did not load:\n" + diags.str());
  return run_isolated(*sc, {});
}

// `s` with every `from` replaced by `to`: variants of an inline scenario.
inline std::string with(std::string s, const std::string& from, const std::string& to)
{
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

inline const nlohmann::json& klass(const nlohmann::json& r, const std::string& name)
{
  for (const auto& c : r["classes"])
    if (c["name"] == name)
      return c;
  throw std::runtime_error("no class " + name);
}

inline const nlohmann::json& comp(const nlohmann::json& r, const std::string& name)
{
  for (const auto& c : r["components"])
    if (c["name"] == name)
      return c;
  throw std::runtime_error("no component " + name);
}

}  // namespace archsim::test
