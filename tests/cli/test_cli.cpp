// The archsim command: exit codes, help, errors on bad input, the catalog commands.
#include <catch2/catch.hpp>

#include "cli_helpers.h"

using namespace archsim::test;

TEST_CASE("help teaches the commands and exit codes")
{
  auto r = run_archsim("--help");
  CHECK(r.code == 0);
  CHECK(r.out.find("run") != std::string::npos);
  CHECK(r.out.find("validate") != std::string::npos);
  CHECK(r.out.find("Exit codes") != std::string::npos);
}

TEST_CASE("run help lists the run options")
{
  auto r = run_archsim("run --help");
  CHECK(r.code == 0);
  for (const char* opt : {"--variant", "--set", "--seed", "--duration", "--out", "--quiet"})
    CHECK(r.out.find(opt) != std::string::npos);
}

TEST_CASE("no command or an unknown one is a usage error (exit 2)")
{
  CHECK(run_archsim("").code == 2);
  CHECK(run_archsim("frobnicate").code == 2);
}

TEST_CASE("run on a missing file says so and exits 2")
{
  auto r = run_archsim("run no/such/file.yaml");
  CHECK(r.code == 2);
  CHECK(r.err.find("no/such/file.yaml") != std::string::npos);
}

TEST_CASE("validate on a directory says it is a directory and exits 2")
{
  auto r = run_archsim("validate scenarios");
  CHECK(r.code == 2);
  CHECK(r.err.find("directory") != std::string::npos);
}

TEST_CASE("validate on /dev/zero refuses quickly instead of reading forever")
{
  auto r = run_archsim("validate /dev/zero");
  CHECK(r.code == 2);
  CHECK(r.err.find("regular") != std::string::npos);
}

TEST_CASE("describe prints a model's parameter table with defaults and sources")
{
  auto r = run_archsim("describe service");
  CHECK(r.code == 0);
  CHECK(r.out.find("threads") != std::string::npos);
  CHECK(r.out.find("default 64") != std::string::npos);
  CHECK(r.out.find("source: reference-figures.md") != std::string::npos);
  CHECK(r.out.find("utilisation") != std::string::npos);
}

TEST_CASE("describe of an unknown model lists the known ones and exits 2")
{
  auto r = run_archsim("describe servce");
  CHECK(r.code == 2);
  CHECK(r.err.find("did you mean 'service'") != std::string::npos);
}

TEST_CASE("list shows the models and the scenarios")
{
  auto r = run_archsim("list");
  CHECK(r.code == 0);
  CHECK(r.out.find("load_balancer") != std::string::npos);
  CHECK(r.out.find("three_tier_web.yaml") != std::string::npos);
}

TEST_CASE("a missed target exits 99 and says which")
{
  auto r = run_archsim("run scenarios/validation/mm1_rho05.yaml --duration 5s --quiet --out /tmp/archsim-cli-miss "
                   "--set targets='[\"jobs.latency.mean < 1us\"]'");
  CHECK(r.code == 99);
  CHECK(r.out.find("target missed: jobs.latency.mean < 1us") != std::string::npos);
}

TEST_CASE("run writes summary.json, the CSVs and report.md to --out")
{
  std::string dir = "/tmp/archsim-cli-out-" + std::to_string(getpid());
  auto r = run_archsim("run scenarios/validation/mm1_rho05.yaml --duration 5s --out " + dir);
  CHECK(r.code == 0);
  for (const char* f : {"summary.json", "timeseries.csv", "latency.csv", "report.md"})
    CHECK(!read_file(dir + "/" + f).empty());
  CHECK(read_file(dir + "/summary.json").find("\"schema\": \"archsim.run/1\"") != std::string::npos);
  CHECK(r.out.find("Request classes") != std::string::npos);
  std::system(("rm -rf '" + dir + "'").c_str());
}

TEST_CASE("a bad duration flag is a usage error naming the flag")
{
  auto r = run_archsim("run scenarios/validation/mm1_rho05.yaml --duration 5");
  CHECK(r.code == 2);
  CHECK(r.err.find("--duration") != std::string::npos);
  CHECK(r.err.find("a bare number needs a unit") != std::string::npos);
}

TEST_CASE("an unknown variant flag lists the scenario variants")
{
  auto r = run_archsim("run scenarios/three_tier_web.yaml --variant nope");
  CHECK(r.code == 2);
  CHECK(r.err.find("unknown variant 'nope'") != std::string::npos);
  CHECK(r.err.find("small_db_pool") != std::string::npos);
}
