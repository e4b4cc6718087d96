// report.md: run metadata and the same tables as the terminal report, as Markdown.
#include <catch2/catch.hpp>

#include "analysis/report_md.h"
#include "fixture.h"
#include "sim/core/units.h"

using namespace archsim;
using archsim::test::small_run_result;
using nlohmann::json;

namespace {
std::string md_of(const json& r)
{
  return format_report_md(r, evaluate_targets(r));
}
bool has(const std::string& text, const std::string& part)
{
  return text.find(part) != std::string::npos;
}
}  // namespace

TEST_CASE("report.md has a title and the run metadata", "[report_md]")
{
  std::string md = md_of(small_run_result());
  CHECK(md.rfind("# URL shortener\n", 0) == 0);
  CHECK(has(md, "| archsim | 0.1.0 |"));
  CHECK(has(md, "| SimGrid | 3.32 |"));
  CHECK(has(md, "| seed | 42 |"));
  CHECK(has(md, "| command | `archsim run scenarios/shortener.yaml --variant cache --seed 42` |"));
  CHECK(has(md, "| variants | cache |"));
}

TEST_CASE("report.md has the class, component and target tables", "[report_md]")
{
  json r         = small_run_result();
  std::string md = md_of(r);
  CHECK(has(md, "## Request classes\n\n| class | offered | throughput | errors | timeouts | p50 | p90 | p99 | p99.9 | max |\n"
                "| --- | ---: | ---: |"));
  CHECK(has(md, "| redirect | 10K/s | 9.96K/s |"));
  CHECK(has(md, format_duration(r["classes"][0]["latency"]["p99"].get<double>())));
  CHECK(has(md, "## Components\n\n| component | model | replicas |"));
  CHECK(has(md, "| app | service | 3 | 85.3% |"));
  CHECK(has(md, "## Targets\n\n**3 of 6 targets MISSED**"));
  CHECK(has(md, "| \xE2\x9C\x97 MISSED | batch.latency.p99 < 1s | not measured |"));
  CHECK(has(md, "## Warnings"));
}

TEST_CASE("pipes in Markdown cells are escaped", "[report_md]")
{
  ReportTable t;
  t.headers = {"a"};
  t.align   = {Align::Left};
  t.rows    = {{"x|y"}};
  t.tones   = {Tone::Plain};
  CHECK(render_markdown_table(t) == "| a |\n| --- |\n| x\\|y |\n");
}
