// Golden tests for errors: every file in tests/bad/ is a malformed scenario whose first lines
// say which errors the loader must report and where:
//
//   # expect: LINE:COL: <fragment of the message>     (the error is printed as FILE:LINE:COL: error: ...)
//   # expect: <fragment>                               (no position: the error is printed as FILE: error: ...)
//
// A file that cannot hold a comment (empty, binary) keeps its expectations in a sidecar
// NAME.expect next to NAME.yaml. Several `# expect:` lines prove that errors are reported all
// at once. Each load must also finish quickly, hostile files included (a guard against hangs).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "models/registry.h"
#include "sim/scenario/loader.h"

namespace fs = std::filesystem;

namespace {

struct Expectation {
  int line = 0;  // 0: no position
  int col  = 0;
  std::string fragment;
};

const fs::path kBadDir = fs::path(ARCHSIM_TEST_DIR) / "bad";

std::optional<int> leading_number(std::string& text)
{
  size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])))
    ++i;
  if (i == 0 || i >= text.size() || text[i] != ':')
    return std::nullopt;
  int value = std::stoi(text.substr(0, i));
  text.erase(0, i + 1);
  return value;
}

// "# expect: 12:5: message", "# expect: message" or, in a sidecar, "expect: message".
std::optional<Expectation> parse_expectation(std::string line)
{
  size_t start = line.find_first_not_of("# \t");
  if (start == std::string::npos || line.compare(start, 7, "expect:") != 0)
    return std::nullopt;
  std::string rest = line.substr(start + 7);
  rest.erase(0, rest.find_first_not_of(' '));
  Expectation e;
  std::string probe = rest;
  auto l            = leading_number(probe);
  auto c            = l ? leading_number(probe) : std::nullopt;
  if (l && c) {
    e.line = *l;
    e.col  = *c;
    rest   = probe;
    rest.erase(0, rest.find_first_not_of(' '));
  }
  e.fragment = rest;
  return e;
}

// The leading `# expect:` lines of a scenario, or every expectation of its sidecar.
std::vector<Expectation> read_expectations(const fs::path& scenario)
{
  fs::path sidecar = scenario;
  sidecar.replace_extension(".expect");
  bool from_sidecar = fs::exists(sidecar);
  std::ifstream in(from_sidecar ? sidecar : scenario, std::ios::binary);
  std::vector<Expectation> out;
  std::string line;
  while (std::getline(in, line)) {
    auto e = parse_expectation(line);
    if (e)
      out.push_back(*e);
    else if (!from_sidecar)
      break;  // only the leading lines of a scenario hold expectations
  }
  return out;
}

std::vector<fs::path> bad_scenarios()
{
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kBadDir))
    if (entry.is_regular_file() && entry.path().extension() == ".yaml")
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<std::string> lines_of(const std::string& text)
{
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    out.push_back(line);
  return out;
}

}  // namespace

TEST_CASE("tests/bad holds enough cases, each with an expectation")
{
  auto files = bad_scenarios();
  CHECK(files.size() >= 25);
  for (const auto& f : files) {
    INFO(f.filename().string());
    CHECK_FALSE(read_expectations(f).empty());
  }
}

TEST_CASE("every malformed scenario in tests/bad fails with the expected errors at the expected places")
{
  for (const auto& file : bad_scenarios()) {
    DYNAMIC_SECTION(file.filename().string())
    {
      const std::string path = file.string();
      auto expectations      = read_expectations(file);
      REQUIRE_FALSE(expectations.empty());

      archsim::Diagnostics diags;
      auto start     = std::chrono::steady_clock::now();
      auto scenario  = archsim::load_scenario(path, archsim::model_catalog(), {}, diags);
      double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

      const std::string printed = diags.str();
      INFO("diagnostics:\n" << printed);
      CHECK_FALSE(scenario.has_value());
      CHECK_FALSE(diags.ok());
      CHECK(seconds < 2.0);

      auto lines = lines_of(printed);
      for (const auto& e : expectations) {
        std::string prefix = e.line > 0 ? path + ":" + std::to_string(e.line) + ":" + std::to_string(e.col) + ": error: "
                                        : path + ": error: ";
        bool found = std::any_of(lines.begin(), lines.end(), [&](const std::string& l) {
          return l.compare(0, prefix.size(), prefix) == 0 && l.find(e.fragment, prefix.size()) != std::string::npos;
        });
        INFO("expected a line starting with '" << prefix << "' containing '" << e.fragment << "'");
        CHECK(found);
      }
    }
  }
}
