#include "sim/cli/job_runner.h"

#include <fcntl.h>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

namespace archsim::cli {

namespace fs = std::filesystem;

std::string self_path()
{
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("archsim") : p.string();
}

namespace {

bool has_result(const std::string& dir)
{
  std::ifstream f(fs::path(dir) / "summary.json");
  if (!f)
    return false;
  try {
    nlohmann::json j = nlohmann::json::parse(f);
    return j.is_object() && j.contains("schema");
  } catch (const std::exception&) {
    return false;
  }
}

pid_t spawn(const std::vector<std::string>& argv, const std::string& dir)
{
  fs::create_directories(dir);
  std::string err = (fs::path(dir) / "stderr.txt").string();
  pid_t pid       = fork();
  if (pid != 0)
    return pid;
  int fd = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd >= 0) {
    dup2(fd, STDERR_FILENO);
    close(fd);
  }
  int null = open("/dev/null", O_WRONLY);
  if (null >= 0) {
    dup2(null, STDOUT_FILENO);
    close(null);
  }
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execv(args[0], args.data());
  _exit(127);
}

}  // namespace

JobRunReport run_jobs(const ExperimentPlan& plan, const std::string& dir, size_t jobs, bool progress)
{
  JobRunReport report;
  std::string self = self_path();
  std::map<pid_t, const ExperimentJob*> running;
  size_t next = 0, done = 0, total = plan.jobs.size();
  auto show = [&] {
    if (progress)
      fmt::print(stderr, "\r  jobs: {}/{} done, {} running   ", done, total, running.size());
  };
  auto reap = [&] {
    int status = 0;
    pid_t pid  = wait(&status);
    if (pid <= 0)
      return;
    const ExperimentJob* job = running.at(pid);
    running.erase(pid);
    ++done;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    // 99: a target was missed, which is a result like any other.
    if (code != 0 && code != 99)
      report.failed.push_back(fmt::format("{} (exit {}, see {})", job->id, code,
                                          (fs::path(job_dir(dir, *job)) / "stderr.txt").string()));
    show();
  };
  while (next < total || !running.empty()) {
    while (next < total && running.size() < std::max<size_t>(jobs, 1)) {
      const ExperimentJob& job = plan.jobs[next++];
      std::string out          = job_dir(dir, job);
      if (has_result(out)) {
        ++report.skipped;
        ++done;
        continue;
      }
      running[spawn(job_argv(plan, job, self, dir), out)] = &job;
      ++report.ran;
      show();
    }
    if (!running.empty())
      reap();
  }
  if (progress)
    fmt::print(stderr, "\n");
  return report;
}

}  // namespace archsim::cli
