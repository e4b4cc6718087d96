#include "sim/core/popularity.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace archsim {

namespace {

void require(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument(message);
}

// log1p(x)/x and expm1(x)/x, continuous at x = 0: they make the formulas below exact at s == 1
// and accurate for s near 1, where (x^(1-s) - 1)/(1-s) would cancel catastrophically.
double log1p_over_x(double x) {
  return std::fabs(x) > 1e-8 ? std::log1p(x) / x : 1 - x * (0.5 - x * (1.0 / 3 - 0.25 * x));
}
double expm1_over_x(double x) {
  return std::fabs(x) > 1e-8 ? std::expm1(x) / x : 1 + x * 0.5 * (1 + x / 3 * (1 + 0.25 * x));
}

// ceil(x), except that x within 1e-9 (relative) of an integer counts as that integer, so that
// 0.2 * 10^10 = 2000000000.0000002 keys make 2000000000 hot keys, not one more.
uint64_t tolerant_ceil(double x) {
  const double r = std::round(x);
  if (std::fabs(x - r) <= 1e-9 * std::max(1.0, r)) return static_cast<uint64_t>(r);
  return static_cast<uint64_t>(std::ceil(x));
}

std::string format_g(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

}  // namespace

// --- ZipfSampler: variable names follow Hörmann & Derflinger; h(x) = x^-s over ranks 1..n.

ZipfSampler::ZipfSampler(uint64_t n, double s) : n_(static_cast<double>(n)), s_(s) {
  require(n >= 1, "zipf: need at least one key");
  require(std::isfinite(s) && s > 0, "zipf: exponent s must be > 0");
  h_integral_x1_ = h_integral(1.5) - 1;
  h_integral_n_ = h_integral(n_ + 0.5);
  threshold_ = 2 - h_integral_inverse(h_integral(2.5) - h(2));
}

double ZipfSampler::h(double x) const { return std::exp(-s_ * std::log(x)); }

// (x^(1-s) - 1) / (1-s), i.e. log(x) at s == 1.
double ZipfSampler::h_integral(double x) const {
  const double log_x = std::log(x);
  return expm1_over_x((1 - s_) * log_x) * log_x;
}

double ZipfSampler::h_integral_inverse(double x) const {
  const double t = std::max(-1.0, x * (1 - s_));  // rounding could push t below -1
  return std::exp(log1p_over_x(t) * x);
}

uint64_t ZipfSampler::sample(Rng& rng) const {
  for (;;) {
    const double u = h_integral_n_ + rng.uniform01() * (h_integral_x1_ - h_integral_n_);
    const double x = h_integral_inverse(u);
    const double k = std::clamp(std::floor(x + 0.5), 1.0, n_);
    if (k - x <= threshold_ || u >= h_integral(k + 0.5) - h(k))
      return static_cast<uint64_t>(k) - 1;
  }
}

double zipf_normalizer(uint64_t n, double s) {
  if (n <= 10000) {
    double sum = 0;
    for (uint64_t k = n; k >= 1; --k) sum += std::pow(static_cast<double>(k), -s);  // small first
    return sum;
  }
  const double m = 1000;
  double head = 0;
  for (int k = 999; k >= 1; --k) head += std::pow(k, -s);
  // Euler-Maclaurin: sum_{k=m..n} f(k) = int_m^n f + (f(m) + f(n))/2 + B2/2! [f']_m^n
  //                                      + B4/4! [f''']_m^n + R, with f(x) = x^-s; the next
  // term is about s(s+1)..(s+4)/30240 m^(-s-5) < 1e-19 for s <= 2.
  const double nd = static_cast<double>(n);
  const double log_ratio = std::log(nd / m);
  const double integral = std::pow(m, 1 - s) * log_ratio * expm1_over_x((1 - s) * log_ratio);
  const auto f = [s](double x, double extra) { return std::pow(x, -s - extra); };
  return head + integral + (f(m, 0) + f(nd, 0)) / 2 + s / 12 * (f(m, 1) - f(nd, 1)) -
         s * (s + 1) * (s + 2) / 720 * (f(m, 3) - f(nd, 3));
}

// --- Popularity

Popularity Popularity::uniform(uint64_t n) {
  require(n >= 1, "uniform popularity: need at least one key");
  return Popularity(Kind::Uniform, n);
}

Popularity Popularity::zipf(uint64_t n, double s) {
  Popularity p(Kind::Zipf, n);
  p.zipf_.emplace(n, s);  // validates n and s
  p.s_ = s;
  p.normalizer_ = zipf_normalizer(n, s);
  return p;
}

Popularity Popularity::hot_set(uint64_t n, double traffic_share, double key_share) {
  require(n >= 1, "hot_set: need at least one key");
  require(traffic_share >= 0 && traffic_share <= 1, "hot_set: traffic_share must be in [0,1]");
  require(key_share >= 0 && key_share <= 1, "hot_set: key_share must be in [0,1]");
  Popularity p(Kind::HotSet, n);
  p.traffic_share_ = traffic_share;
  p.key_share_ = key_share;
  p.hot_keys_ = std::min(n, tolerant_ceil(key_share * static_cast<double>(n)));
  require(p.hot_keys_ > 0 || traffic_share == 0,
          "hot_set: key_share selects no key but traffic_share sends traffic to it");
  require(p.hot_keys_ < n || traffic_share == 1,
          "hot_set: the hot set holds every key, so no key is left for the other " +
              format_g(100 * (1 - traffic_share)) + "% of traffic");
  return p;
}

uint64_t Popularity::sample(Rng& rng) const {
  switch (kind_) {
    case Kind::Uniform:
      return rng.below(n_);
    case Kind::Zipf:
      return zipf_->sample(rng);
    case Kind::HotSet:
      if (rng.uniform01() < traffic_share_) return rng.below(hot_keys_);
      return hot_keys_ + rng.below(n_ - hot_keys_);
  }
  return 0;  // unreachable
}

double Popularity::probability(uint64_t rank) const {
  if (rank >= n_) return 0;
  switch (kind_) {
    case Kind::Uniform:
      return 1.0 / static_cast<double>(n_);
    case Kind::Zipf:
      return std::pow(static_cast<double>(rank) + 1, -s_) / normalizer_;
    case Kind::HotSet:
      if (rank < hot_keys_) return traffic_share_ / static_cast<double>(hot_keys_);
      return (1 - traffic_share_) / static_cast<double>(n_ - hot_keys_);
  }
  return 0;  // unreachable
}

std::string Popularity::describe() const {
  const std::string n = std::to_string(n_) + " keys";
  switch (kind_) {
    case Kind::Uniform:
      return "uniform(" + n + ")";
    case Kind::Zipf:
      return "zipf(" + n + ", s=" + format_g(s_) + ")";
    case Kind::HotSet:
      return "hot_set(" + n + ", " + format_g(100 * traffic_share_) + "% of traffic to " +
             std::to_string(hot_keys_) + " keys = " + format_g(100 * key_share_) + "%)";
  }
  return "";  // unreachable
}

}  // namespace archsim
