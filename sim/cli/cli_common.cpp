#include "sim/cli/cli_common.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>

#include "archsim/version.h"
#include "models/registry.h"

namespace archsim::cli {

std::optional<Scenario> load_or_report(const std::string& path, const LoadOptions& options)
{
  Diagnostics diags;
  auto sc = load_scenario(path, model_catalog(), options, diags);
  if (!diags.ok())
    fmt::print(stderr, "{}", diags.str());
  return sc;
}

std::string scenarios_dir()
{
  namespace fs = std::filesystem;
  if (const char* env = std::getenv("ARCHSIM_SCENARIOS"))
    return env;
  std::error_code ec;
  if (fs::is_directory("scenarios", ec))
    return "scenarios";
  return std::string(ARCHSIM_SOURCE_DIR) + "/scenarios";
}

std::vector<std::string> scenario_files(const std::string& dir)
{
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file() && (it->path().extension() == ".yaml" || it->path().extension() == ".yml"))
      out.push_back(it->path().string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace archsim::cli
