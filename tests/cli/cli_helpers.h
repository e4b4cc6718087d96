#pragma once
// Runs the real archsim binary and captures its exit code, stdout and stderr.
#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace archsim::test {

struct CommandResult {
  int code = -1;
  std::string out;
  std::string err;
};

inline std::string read_file(const std::string& path)
{
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// `args` is a shell fragment (quote paths yourself); runs from the source tree.
inline CommandResult run_archsim(const std::string& args)
{
  std::string err_path = "/tmp/archsim-cli-test-" + std::to_string(getpid()) + ".err";
  std::string cmd = std::string("cd '") + ARCHSIM_SOURCE_DIR + "' && '" + ARCHSIM_BIN + "' " + args + " 2>'" +
                    err_path + "' </dev/null";
  CommandResult r;
  FILE* p = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0)
    r.out.append(buf.data(), n);
  int status = pclose(p);
  r.code     = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.err      = read_file(err_path);
  std::remove(err_path.c_str());
  return r;
}

}  // namespace archsim::test
