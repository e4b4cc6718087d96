// Every scenario file, and every variant in it, validates and runs at a short duration.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli_helpers.h"

using namespace archsim::test;
namespace fs = std::filesystem;

namespace {
std::vector<std::string> scenario_files()
{
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(std::string(ARCHSIM_SOURCE_DIR) + "/scenarios"))
    if (e.path().extension() == ".yaml")
      out.push_back(fs::relative(e.path(), ARCHSIM_SOURCE_DIR).string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("every scenario file validates, with all its variants")
{
  auto files = scenario_files();
  REQUIRE(files.size() >= 7);
  for (const auto& f : files) {
    auto r = run_archsim("validate " + f);
    INFO(f << "\n" << r.err);
    CHECK(r.code == 0);
  }
}

// Hidden from test discovery: tests/CMakeLists.txt registers one ctest per scenario file, which
// runs this case with ARCHSIM_SCENARIO_FILE set, so ctest -j spreads the files over the cores
// and a failure names its file. Without the variable it runs every file.
TEST_CASE("every variant of a scenario runs at a short duration", "[.every-variant][slow]")
{
  std::vector<std::string> files = scenario_files();
  if (const char* only = std::getenv("ARCHSIM_SCENARIO_FILE"))
    files = {only};
  for (const auto& f : files) {
    auto listing = run_archsim("validate " + f);
    REQUIRE(listing.code == 0);
    // The variant names come from the file itself, through the loader's --variant error text:
    // asking for a variant that cannot exist lists them all.
    auto probe = run_archsim("run " + f + " --variant __list__");
    std::vector<std::string> variants{""};
    auto pos = probe.err.find("this scenario has ");
    if (pos != std::string::npos) {
      std::string rest = probe.err.substr(pos + 18, probe.err.find('\n', pos) - pos - 18);
      size_t q         = 0;
      while ((q = rest.find('\'', q)) != std::string::npos) {
        size_t e = rest.find('\'', q + 1);
        variants.push_back(rest.substr(q + 1, e - q - 1));
        q = e + 1;
      }
    }
    for (const auto& v : variants) {
      std::string dir = fmt::format("/tmp/archsim-every-{}", getpid());
      std::string cmd = fmt::format("run {} --duration 3s --warmup 1s --no-progress --out {}{}", f, dir,
                                    v.empty() ? "" : " --variant " + v);
      auto r          = run_archsim(cmd);
      INFO(cmd << "\n" << r.err);
      // 0 or 99 (a short run may miss a target); never a usage error or a crash.
      CHECK((r.code == 0 || r.code == 99));
      auto summary = nlohmann::json::parse(read_file(dir + "/summary.json"), nullptr, false);
      REQUIRE(!summary.is_discarded());
      // Every class completes requests, unless a 2 s window expects too few of them to be sure
      // (a class at 2/s may see none finish, or all fail in a variant built to overload).
      double measured = summary["run"]["measured"].get<double>();
      for (const auto& c : summary["classes"])
        if (c["offered_rate"].get<double>() * measured >= 10) {
          INFO("class " << c["name"]);
          CHECK(c["ok"].get<double>() > 0);
        }
      std::system(("rm -rf '" + dir + "'").c_str());
    }
  }
}
