// The fanout step: a body run once per member of a user's list in a social graph. The graphs
// are small edge lists written by the test, so every count is known exactly. The acting user
// is always id 0 (the class's key space has one key).
#include <catch2/catch.hpp>
#include <fstream>

#include "sim_helpers.h"

using namespace archsim;
using namespace archsim::test;

namespace {

// "author": user 0 is a celebrity followed by users 1..3000 (and user 5000); user 1 a regular
// user followed by users 2..11.
// "reader": user 0 follows user 1, a celebrity (followers 0 and 2..3000), and user 2, a regular
// user (followers 0 and 3..12).
std::string edge_list(const std::string& shape)
{
  std::string path = "/tmp/archsim-fanout-" + shape + "-" + std::to_string(getpid()) + ".txt";
  std::ofstream out(path);
  if (shape == "author") {
    for (int f = 1; f <= 3000; ++f)
      out << f << " 0\n";
    for (int f = 2; f <= 11; ++f)
      out << f << " 1\n";
    out << "5000 0\n5000 1\n";
  } else {
    out << "0 1\n0 2\n";
    for (int f = 2; f <= 3000; ++f)
      out << f << " 1\n";
    for (int f = 3; f <= 12; ++f)
      out << f << " 2\n";
  }
  return path;
}

std::string scenario(const std::string& graph_file, const std::string& post_steps)
{
  return with(with(R"(
archsim: 1
name: fanout
run: {duration: 10.5s, warmup: 0.5s, seed: 2}
graphs:
  follows: {kind: social, file: FILE, users: 5001, celebrities: {threshold: 1000}}
components:
  timelines: {model: service, replicas: 2, threads: 8, cores: 8, cpu: {dist: constant, value: 20us}}
data:
  users: {keys: 5001, popularity: uniform}
  author: {keys: 1, popularity: uniform}
workload:
  post: {arrivals: constant, rate: 1/s, key: author}
flows:
  post: POST
)",
                    "FILE", graph_file),
              "POST", post_steps);
}

double visits(const nlohmann::json& r, const std::string& c) { return comp(r, c)["latency"]["count"].get<double>(); }

}  // namespace

TEST_CASE("a fan-out on write to a celebrity's followers costs one write per follower")
{
  auto r = simulate(scenario(edge_list("author"), "[{fanout: follows, key: users, concurrency: 8, steps: [{call: timelines}]}]"));
  double posts = klass(r, "post")["ok"].get<double>();
  REQUIRE(posts >= 9);
  CHECK(visits(r, "timelines") == 3001 * posts);  // 3000 followers plus user 5000
}

TEST_CASE("a hybrid fan-out skips the push for a celebrity's post")
{
  auto r = simulate(scenario(edge_list("author"),
                             "[{fanout: follows, subject: regular, key: users, steps: [{call: timelines}]}]"));
  CHECK(klass(r, "post")["ok"].get<double>() >= 9);
  CHECK(visits(r, "timelines") == 0);
}

TEST_CASE("fan-out lanes divide the time a celebrity's post takes to reach every follower")
{
  auto serial = simulate(scenario(edge_list("author"), "[{fanout: follows, key: users, steps: [{call: timelines}]}]"));
  auto lanes  = simulate(
      scenario(edge_list("author"), "[{fanout: follows, key: users, concurrency: 8, steps: [{call: timelines}]}]"));
  double one   = klass(serial, "post")["latency"]["mean"].get<double>();
  double eight = klass(lanes, "post")["latency"]["mean"].get<double>();
  CHECK(one == Approx(3001 * 20e-6).epsilon(0.05));  // one write after another on an idle store
  CHECK(one / eight == Approx(8).epsilon(0.1));
}

TEST_CASE("a pull over the accounts a user follows visits each of them, or only the celebrities")
{
  const std::string graph = edge_list("reader");
  auto all   = simulate(scenario(graph, "[{fanout: follows, of: following, key: users, steps: [{call: timelines}]}]"));
  auto celeb = simulate(scenario(
      graph, "[{fanout: follows, of: following, members: celebrities, key: users, steps: [{call: timelines}]}]"));
  double reads = klass(all, "post")["ok"].get<double>();
  REQUIRE(reads >= 9);
  CHECK(visits(all, "timelines") == 2 * reads);
  CHECK(visits(celeb, "timelines") == klass(celeb, "post")["ok"].get<double>());
}

TEST_CASE("a fan-out stops at its limit")
{
  auto r = simulate(scenario(edge_list("author"), "[{fanout: follows, key: users, limit: 100, steps: [{call: timelines}]}]"));
  CHECK(visits(r, "timelines") == 100 * klass(r, "post")["ok"].get<double>());
}
