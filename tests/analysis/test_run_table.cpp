// The terminal report of `archsim run`: content, units, alignment, warnings, colour.
#include <catch2/catch.hpp>
#include <sstream>

#include "analysis/run_table.h"
#include "analysis/text_table.h"
#include "fixture.h"
#include "sim/core/units.h"

using namespace archsim;
using archsim::test::small_run_result;
using nlohmann::json;

namespace {
std::string table_of(const json& r)
{
  return format_run_table(r, evaluate_targets(r));
}
std::vector<std::string> lines_of(const std::string& text)
{
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    out.push_back(line);
  return out;
}
}  // namespace

TEST_CASE("the headline names the scenario, variant, seed, durations, network and wall time", "[run_table]")
{
  std::string first = lines_of(table_of(small_run_result())).at(0);
  CHECK(first.find("URL shortener (shortener)") != std::string::npos);
  CHECK(first.find("variant: cache") != std::string::npos);
  CHECK(first.find("seed 42") != std::string::npos);
  CHECK(first.find("60s simulated, 10s warm-up") != std::string::npos);
  CHECK(first.find("network CM02") != std::string::npos);
  CHECK(first.find("wall time 1.23s") != std::string::npos);
}

TEST_CASE("the class table shows every class with its formatted p99", "[run_table]")
{
  json r          = small_run_result();
  std::string out = table_of(r);
  for (const auto& c : r["classes"])
    CHECK(out.find("| " + c["name"].get<std::string>()) != std::string::npos);
  CHECK(out.find(format_duration(r["classes"][0]["latency"]["p99"].get<double>())) != std::string::npos);
  CHECK(out.find(format_rate(9960)) != std::string::npos);
  CHECK(out.find("closed") != std::string::npos);  // offered load of a closed class
  CHECK(out.find("timeouts") != std::string::npos);  // some class has timeouts
}

TEST_CASE("the component table shows utilisation and non-zero counters only", "[run_table]")
{
  std::string out = table_of(small_run_result());
  CHECK(out.find("85.3%") != std::string::npos);
  CHECK(out.find("rejections 1234") != std::string::npos);
  CHECK(out.find("timeouts 56") != std::string::npos);
  CHECK(out.find("retries") == std::string::npos);  // zero
  CHECK(out.find("rejections 0") == std::string::npos);
}

TEST_CASE("the component table leaves out metrics the model does not declare", "[run_table]")
{
  json r = small_run_result();
  json& c = r["components"][1];
  c["units"] = {{"rejections", "count"}, {"timeouts", "count"}};
  c["metrics"]["p7_read_ratio"] = 0.42;
  std::string out = table_of(r);
  CHECK(out.find("rejections 1234") != std::string::npos);
  CHECK(out.find("p7_read_ratio") == std::string::npos);
  CHECK(out.find("thread_utilisation") == std::string::npos);  // recorded, not declared here
}

TEST_CASE("a run whose small messages used much of a link warns that they did not share it", "[run_table]")
{
  json r = small_run_result();
  r["run"]["small_messages"] = {{"busiest_link", "clients-access"}, {"busiest_link_share", 0.35}};
  std::string out = table_of(r);
  CHECK(out.find("small messages alone used 35% of link clients-access's bandwidth") != std::string::npos);
  r["run"]["small_messages"]["busiest_link_share"] = 0.05;
  CHECK(table_of(r).find("small messages") == std::string::npos);
}

TEST_CASE("targets are listed as met or MISSED with the measured value", "[run_table]")
{
  std::string out = table_of(small_run_result());
  CHECK(out.find("3 of 6 targets MISSED") != std::string::npos);
  CHECK(out.find("\xE2\x9C\x93 met") != std::string::npos);
  CHECK(out.find("\xE2\x9C\x97 MISSED") != std::string::npos);
  CHECK(out.find("not measured") != std::string::npos);
}

TEST_CASE("a class with many requests in flight at the end or dropped ones gets a warning", "[run_table]")
{
  std::string out = table_of(small_run_result());
  CHECK(out.find("warning: create: 1000 requests (20% of arrivals) still in flight at the end") != std::string::npos);
  CHECK(out.find("warning: create: 12 requests dropped") != std::string::npos);
  CHECK(out.find("warning: redirect") == std::string::npos);  // 0.3% in flight: a busy, healthy system
}

TEST_CASE("every line of a table has the same width on screen", "[run_table]")
{
  std::string out = table_of(small_run_result());
  size_t width    = 0;
  for (const auto& line : lines_of(out)) {
    if (line.empty() || (line[0] != '|' && line[0] != '+')) {
      width = 0;  // a new section
      continue;
    }
    if (width == 0)
      width = display_width(line);
    CHECK(display_width(line) == width);
  }
}

TEST_CASE("no colour codes unless asked", "[run_table]")
{
  json r = small_run_result();
  CHECK(format_run_table(r, evaluate_targets(r)).find('\x1b') == std::string::npos);
  CHECK(format_run_table(r, evaluate_targets(r), true).find("\x1b[32m") != std::string::npos);
}
