#pragma once
// `archsim sweep --until-target`: the boundary between values of one parameter that meet all
// targets and values that do not, found by bisection. Direction comes from the two ends: if
// the low end meets and the high end does not (a load), the answer is the largest value that
// meets; if the high end meets and the low end does not (a replica count), the smallest. The
// search assumes one boundary between the ends (targets monotone in the parameter) and says so.
// Pure logic: the caller runs each probe and reports whether it met.
#include <optional>
#include <string>
#include <vector>

namespace archsim {

struct SearchProbe {
  double value = 0;
  bool met     = false;
  std::string missed;  // the first missed target's "text: measured", when !met
};

class TargetSearch {
public:
  // `integer`: only whole values (counts); `tolerance`: stop when the bracket is this narrow
  // (relative to the range, e.g. 0.01); at most `max_probes` probes in all.
  TargetSearch(double low, double high, bool integer, double tolerance = 0.01, size_t max_probes = 12);

  // The next value to run, or nullopt when the search is over.
  std::optional<double> next() const;
  void record(const SearchProbe& probe);

  enum class Outcome { Searching, Found, AllMeet, NoneMeet };
  Outcome outcome() const;
  bool wants_largest() const { return low_meets_; }  // a load: the largest value that meets
  // The best value that meets (largest or smallest as above) and the closest one that misses.
  std::optional<SearchProbe> best() const;
  std::optional<SearchProbe> nearest_miss() const;
  const std::vector<SearchProbe>& probes() const { return probes_; }
  // One sentence: "largest workload.req.rate meeting all targets: 4,250/s; 4,375/s misses
  // (req.latency.p99 < 5ms: 6.1 ms)". `format` prints a value with its unit.
  template <class Format>
  std::string sentence(const std::string& param, Format format) const;

private:
  double low_, high_;
  bool integer_;
  double tolerance_;
  size_t max_probes_;
  bool low_meets_ = false;
  std::vector<SearchProbe> probes_;
  std::optional<SearchProbe> meet_, miss_;  // the bracket's two ends once direction is known
};

template <class Format>
std::string TargetSearch::sentence(const std::string& param, Format format) const
{
  switch (outcome()) {
    case Outcome::Searching:
      return "the search did not finish";
    case Outcome::AllMeet:
      return "both ends of " + param + " meet all targets (" + format(low_) + " and " + format(high_) +
             "): widen the range";
    case Outcome::NoneMeet:
      return "neither end of " + param + " meets all targets (" + format(low_) + ": " + probes_[0].missed + "; " +
             format(high_) + ": " + probes_[1].missed + ")";
    case Outcome::Found:
      break;
  }
  std::string s = std::string(wants_largest() ? "largest " : "smallest ") + param +
                  " meeting all targets: " + format(meet_->value);
  if (miss_)
    s += "; " + format(miss_->value) + " misses (" + miss_->missed + ")";
  return s;
}

}  // namespace archsim
