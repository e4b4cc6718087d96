// The output folder of `archsim run --out DIR`.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

#include "analysis/output_dir.h"
#include "analysis/run_table.h"
#include "analysis/targets.h"
#include "fixture.h"

using namespace archsim;
using archsim::test::small_run_result;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {
struct TempDir {
  fs::path path;
  TempDir() : path(fs::temp_directory_path() / ("archsim-analysis-test-" + std::to_string(::getpid()))) {}
  ~TempDir()
  {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};
std::string slurp(const fs::path& p)
{
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}
}  // namespace

TEST_CASE("write_run_outputs creates the folder and writes every file", "[output_dir]")
{
  TempDir tmp;
  json r      = small_run_result();
  auto checks = evaluate_targets(r);
  record_target_checks(r, checks);
  std::string table = format_run_table(r, checks);
  fs::path dir      = tmp.path / "nested" / "out";
  auto written      = write_run_outputs(dir.string(), r, table);
  CHECK(written.size() == 6);
  for (const char* name : {"summary.json", "timeseries.csv", "latency.csv", "report.md", "report.html", "summary.txt"})
    CHECK(fs::is_regular_file(dir / name));
  json back = json::parse(slurp(dir / "summary.json"));
  CHECK(back["schema"] == "archsim.run/1");
  CHECK(back["targets"][0]["met"] == true);
  CHECK(back["targets"][4]["missing"] == true);
  CHECK(slurp(dir / "summary.json").substr(0, 4) == "{\n  ");  // 2-space indent
  CHECK(slurp(dir / "summary.txt") == table);
  CHECK(slurp(dir / "report.md").find("3 of 6 targets MISSED") != std::string::npos);
  CHECK(slurp(dir / "report.html").find("3 of 6 targets MISSED") != std::string::npos);
}

TEST_CASE("write_run_outputs writes only the selected formats", "[output_dir]")
{
  TempDir tmp;
  OutputSelection only_json;
  only_json.csv = only_json.md = only_json.html = only_json.table = false;
  auto written = write_run_outputs(tmp.path.string(), small_run_result(), "table", only_json);
  CHECK(written == std::vector<std::string>{(tmp.path / "summary.json").string()});
  CHECK_FALSE(fs::exists(tmp.path / "report.md"));
  CHECK_FALSE(fs::exists(tmp.path / "report.html"));
}

TEST_CASE("an output folder that cannot be created is an error naming the path", "[output_dir]")
{
  TempDir tmp;
  fs::create_directories(tmp.path);
  std::ofstream(tmp.path / "file") << "not a folder";
  std::string dir = (tmp.path / "file" / "out").string();
  try {
    write_run_outputs(dir, small_run_result(), "");
    FAIL("no exception");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find(dir) != std::string::npos);
  }
  // the folder path is itself a regular file
  std::string file = (tmp.path / "file").string();
  CHECK_THROWS_AS(write_run_outputs(file, small_run_result(), ""), std::runtime_error);
}
