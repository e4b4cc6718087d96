// report.html in a real browser: run a small scenario with a crash, then let headless Chromium
// (Debian package `chromium`, installed by scripts/bootstrap and CI) load the report from disk.
// The DOM it builds must hold every plot as an <svg> with drawn data, and its screenshot must
// not be a blank page. A missing Chromium is a failure, not a skip: CI must run this test.
// And (quick, no browser) every command that writes a report.md writes a report.html beside it.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>

#include "cli_helpers.h"

using archsim::test::read_file;
using archsim::test::run_archsim;

namespace fs = std::filesystem;

namespace {

const char* kScenario = R"(archsim: 1
name: browser_report
title: "Browser test: a web tier, a database and a crash"
description: >
  Two classes through a web tier and a database with one busy thread (a queue forms); web
  replica 0 crashes at 3 s for 1 s, so the report has errors, a fault and a warm-up to shade.
run: {duration: 6s, warmup: 1s, seed: 3}
platform:
  datacenters:
    dc: {racks: 1}
  clients: {region: dc, latency: 5ms, bandwidth: 1Gbps}
components:
  web: {model: service, replicas: 2, threads: 16, cores: 4, cpu: {dist: exponential, mean: 2ms}}
  db:  {model: service, replicas: 1, threads: 1, cores: 1, cpu: {dist: exponential, mean: 2ms}}
workload:
  page: {arrivals: poisson, rate: 400/s}
  api:  {arrivals: poisson, rate: 150/s}
flows:
  page: [{call: web}, {call: db}]
  api:  [{call: web}]
variants:
  fast_db:
    description: "half the database CPU per request"
    patch: {components: {db: {cpu: {dist: exponential, mean: 1ms}}}}
targets:
  - page.latency.p99 < 100ms
faults:
  - {at: 3s, crash: web, replica: 0, for: 1s}
)";

struct TempDir {
  fs::path path = fs::temp_directory_path() / ("archsim-browser-test-" + std::to_string(getpid()));
  TempDir() { fs::create_directories(path); }
  ~TempDir()
  {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

// Runs a shell command; returns its exit code and stdout (stderr is dropped: Chromium logs
// D-Bus noise there in a container).
int shell(const std::string& cmd, std::string* out = nullptr)
{
  FILE* p = popen((cmd + " 2>/dev/null").c_str(), "r");
  if (!p)
    return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0)
    if (out)
      out->append(buf, n);
  int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string chromium_path()
{
  std::string out;
  shell("command -v chromium || command -v chromium-browser", &out);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
    out.pop_back();
  return out.substr(0, out.find('\n'));
}

std::string chromium_command(const std::string& chromium, const std::string& what, const fs::path& page)
{
  // timeout: a browser that hangs must fail the test, not the CI job.
  return "timeout 120 '" + chromium + "' --headless=new --no-sandbox --disable-gpu --hide-scrollbars " + what +
         " 'file://" + page.string() + "'";
}

}  // namespace

TEST_CASE("report.html renders in headless Chromium with every plot drawn", "[slow]")
{
  std::string chromium = chromium_path();
  INFO("Chromium drives this test: install the Debian package `chromium` (scripts/bootstrap does)");
  REQUIRE_FALSE(chromium.empty());

  TempDir tmp;
  fs::path scenario = tmp.path / "browser_report.yaml";
  std::ofstream(scenario) << kScenario;
  fs::path out = tmp.path / "out";
  auto run     = run_archsim("run '" + scenario.string() + "' --out '" + out.string() + "' -q --missed-ok");
  INFO(run.err);
  REQUIRE(run.code == 0);
  fs::path page = out / "report.html";
  REQUIRE(fs::is_regular_file(page));

  // The DOM Chromium built: every plot an <svg> with at least one drawn line of several points.
  std::string dom;
  REQUIRE(shell(chromium_command(chromium, "--dump-dom", page), &dom) == 0);
  std::vector<std::string> plots;
  for (size_t at = dom.find("<svg"); at != std::string::npos; at = dom.find("<svg", at + 1))
    plots.push_back(dom.substr(at, dom.find("</svg>", at) - at));
  // latency CDF, p99, throughput, errors (the crash refuses calls), utilisation, queue length
  CHECK(plots.size() == 6);
  std::regex drawn(R"~(<polyline[^>]*points="[-0-9.]+,[-0-9.]+ [-0-9.]+,[-0-9.]+)~");
  for (const auto& svg : plots) {
    INFO(svg.substr(0, 300));
    CHECK(std::regex_search(svg, drawn));
  }
  CHECK(dom.find("class=\"shade fault\"") != std::string::npos);
  CHECK(dom.find("crash web[0] at 3s for 1s") != std::string::npos);

  // The screenshot: a page of plots compresses far worse than an empty page of the same size.
  fs::path blank = tmp.path / "blank.html";
  std::ofstream(blank) << "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body></body></html>\n";
  fs::path shot = tmp.path / "report.png", blank_shot = tmp.path / "blank.png";
  REQUIRE(shell(chromium_command(chromium, "--window-size=1200,3000 --screenshot='" + shot.string() + "'", page)) == 0);
  REQUIRE(shell(chromium_command(chromium, "--window-size=1200,3000 --screenshot='" + blank_shot.string() + "'",
                                 blank)) == 0);
  REQUIRE(fs::is_regular_file(shot));
  REQUIRE(fs::is_regular_file(blank_shot));
  CHECK(read_file(shot.string()).substr(0, 8) == "\x89PNG\r\n\x1a\n");
  auto size = fs::file_size(shot), blank_size = fs::file_size(blank_shot);
  INFO("report.png " << size << " bytes, blank.png " << blank_size << " bytes");
  CHECK(size > 5 * blank_size);  // measured: about 14x
}

TEST_CASE("report.html is written beside report.md by run, compare, sweep, aggregate and report DIR")
{
  TempDir tmp;
  fs::path scenario = tmp.path / "browser_report.yaml";
  std::ofstream(scenario) << kScenario;
  auto html_of = [&](const std::string& dir) { return read_file((tmp.path / dir / "report.html").string()); };
  auto archsim = [&](const std::string& args) {
    auto r = run_archsim(args);
    INFO(args << "\n" << r.err);
    CHECK(r.code == 0);
  };
  std::string file = "'" + scenario.string() + "' --duration 2s --warmup 0.5s -q";
  archsim("run " + file + " --missed-ok --out '" + (tmp.path / "run").string() + "'");
  archsim("compare " + file + " -r 2 --jobs 2 --out '" + (tmp.path / "compare").string() + "'");
  archsim("sweep " + file + " --param workload.page.rate=200/s,400/s --jobs 2 --out '" +
          (tmp.path / "sweep").string() + "'");
  CHECK(html_of("run").find("latency CDF per request class") != std::string::npos);
  CHECK(html_of("compare").find("page: latency CDF per variant") != std::string::npos);
  CHECK(html_of("compare").find("class=\"bar\"") != std::string::npos);
  CHECK(html_of("sweep").find("throughput vs offered load") != std::string::npos);

  // aggregate and report DIR write it again from the results alone.
  for (const char* dir : {"run", "compare", "sweep"}) {
    std::string before = html_of(dir);
    fs::remove(tmp.path / dir / "report.html");
    archsim(std::string(dir == std::string("compare") ? "aggregate '" : "report '") + (tmp.path / dir).string() +
            "' -q");
    CHECK(html_of(dir) == before);
  }
}
