#include "sim/engine/run_driver.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <fmt/format.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>
#include <xbt/log.h>

#include "models/client.h"
#include "models/registry.h"
#include "sim/engine/fault_injector.h"
#include "sim/engine/run_result.h"
#include "sim/engine/runtime.h"

namespace archsim {

namespace {

// Components referring to others (a load balancer to its backend) are made after them.
void make_components(Runtime& rt, const Scenario& sc)
{
  std::vector<const ComponentSpec*> pending;
  for (const auto& c : sc.components)
    pending.push_back(&c);
  while (!pending.empty()) {
    bool progress = false;
    for (auto it = pending.begin(); it != pending.end();) {
      const ModelEntry* entry = find_model((*it)->model);
      bool ready              = true;
      for (const auto& p : entry->spec().params)
        if (p.kind == ParamKind::ComponentRef && !(*it)->params.text(p.name).empty()) {
          const std::string& ref = (*it)->params.text(p.name);
          bool made = false;
          for (const auto& c : rt.components())
            made = made || c->name() == ref;
          ready = ready && made;
        }
      if (ready) {
        rt.add_component(entry->make(rt, **it));
        it       = pending.erase(it);
        progress = true;
      } else {
        ++it;
      }
    }
    if (!progress)
      throw std::runtime_error("components refer to each other in a cycle: " + pending.front()->name);
  }
}

// Simulated-time progress on stderr, every 5% of the run; the last line is printed by the
// driver once the run is over (the engine stops at the end time, before a 100% tick).
void start_progress(double duration)
{
  sg4::Actor::create("progress", sg4::Host::by_name("archsim-driver"), [duration] {
    auto start = std::chrono::steady_clock::now();
    for (int k = 1; k < 20; ++k) {
      sg4::this_actor::sleep_until(duration * k / 20.0);
      double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      fmt::print(stderr, "\r  simulated {:.0f}% ({:.1f}s of {:.1f}s), {:.1f}s elapsed, ~{:.0f}s left   ", k * 5.0,
                 duration * k / 20.0, duration, wall, wall * (20 - k) / k);
    }
  })->daemonize();
}

}  // namespace

nlohmann::json run_simulation(const Scenario& sc, const EngineOptions& options)
{
  // SimGrid parses its own --cfg/--log options; everything else was parsed by archsim.
  // ker_engine warns at exit that cleanups are skipped: expected, see below.
  std::vector<std::string> args{"archsim", "--log=root.thres:warning", "--log=xbt_cfg.thres:warning",
                                "--log=ker_engine.thres:error"};
  args.insert(args.end(), options.simgrid_args.begin(), options.simgrid_args.end());
  // Extra SimGrid options for every run of this process tree, e.g. under AddressSanitizer:
  // ARCHSIM_SIMGRID_ARGS=--cfg=contexts/factory:thread (docs/architecture.md).
  if (const char* extra = std::getenv("ARCHSIM_SIMGRID_ARGS")) {
    std::istringstream words(extra);
    for (std::string w; words >> w;)
      args.push_back(w);
  }
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  int argc = static_cast<int>(args.size());
  xbt_log_control_set("root.thres:warning");
  // The engine and the runtime live until the process exits: at the end of the run, actors
  // are still blocked in queues, and SimGrid aborts if their semaphores are destroyed under
  // them. One simulation per process (SimGrid's rule) makes this leak-free in practice.
  auto* engine = new sg4::Engine(&argc, argv.data());
  (void)engine;

  std::map<std::string, Placement> placements;
  for (const auto& c : sc.components)
    placements[c.name] = find_model(c.model)->placement(c.params);
  auto* runtime = new Runtime(sc, placements);
  Runtime& rt   = *runtime;
  make_components(rt, sc);
  start_faults(rt);
  for (size_t i = 0; i < sc.workload.size(); ++i)
    start_client(rt, sc.workload[i], i);
  if (options.progress)
    start_progress(sc.run.duration);

  auto start = std::chrono::steady_clock::now();
  rt.run();
  if (options.progress)
    fmt::print(stderr, "\r  simulated 100% ({:.1f}s), {:.1f}s elapsed{:30}\n", sc.run.duration,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), "");
  RunMeta meta;
  meta.argv        = options.argv;
  meta.wall_time_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return build_run_result(rt, model_catalog(), meta);
}

nlohmann::json run_isolated(const Scenario& sc, const EngineOptions& options)
{
  int fds[2];
  if (pipe(fds) != 0)
    throw std::runtime_error("pipe() failed");
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0)
    throw std::runtime_error("fork() failed");
  if (pid == 0) {
    close(fds[0]);
    int code = 0;
    try {
      std::string text = run_simulation(sc, options).dump();
      size_t off       = 0;
      while (off < text.size()) {
        ssize_t n = write(fds[1], text.data() + off, text.size() - off);
        if (n <= 0)
          break;
        off += static_cast<size_t>(n);
      }
    } catch (const std::exception& e) {
      fmt::print(stderr, "archsim: simulation failed: {}\n", e.what());
      code = 3;
    }
    close(fds[1]);
    _exit(code);
  }
  close(fds[1]);
  std::string text;
  char buf[65536];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0)
    text.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || text.empty())
    throw std::runtime_error(fmt::format("the simulation process failed (status {})", status));
  return nlohmann::json::parse(text);
}

}  // namespace archsim
