// The one parser and formatter of quantities: every unit family, the refusal of bare numbers
// where a unit is needed, garbage, and format -> parse round trips.
#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include "sim/core/units.h"

using archsim::parse_quantity;
using archsim::Unit;

namespace {

double parsed(const std::string& text, Unit unit)
{
  std::string why;
  auto v = parse_quantity(text, unit, &why);
  INFO("'" << text << "' as " << archsim::unit_name(unit) << ": " << why);
  REQUIRE(v.has_value());
  return *v;
}

// The reason a text is refused (and that it is refused).
std::string refusal(const std::string& text, Unit unit)
{
  std::string why;
  auto v = parse_quantity(text, unit, &why);
  INFO("'" << text << "' as " << archsim::unit_name(unit));
  CHECK_FALSE(v.has_value());
  CHECK_FALSE(why.empty());
  return why;
}

}  // namespace

TEST_CASE("durations: ns us µs ms s min h d, in seconds")
{
  CHECK(parsed("10ns", Unit::Duration) == Approx(1e-8));
  CHECK(parsed("50us", Unit::Duration) == Approx(5e-5));
  CHECK(parsed("50\xC2\xB5s", Unit::Duration) == Approx(5e-5));  // µs
  CHECK(parsed("2ms", Unit::Duration) == Approx(0.002));
  CHECK(parsed("1.5s", Unit::Duration) == Approx(1.5));
  CHECK(parsed("2min", Unit::Duration) == Approx(120));
  CHECK(parsed("2h", Unit::Duration) == Approx(7200));
  CHECK(parsed("1d", Unit::Duration) == Approx(86400));
  CHECK(parsed("0s", Unit::Duration) == 0);
  CHECK(parsed(" 3ms ", Unit::Duration) == Approx(0.003));  // surrounding blanks are trimmed
  CHECK(parsed("1e3ms", Unit::Duration) == Approx(1));
  CHECK(parsed(".5s", Unit::Duration) == Approx(0.5));
}

TEST_CASE("sizes: decimal B KB MB GB TB PB and binary KiB MiB GiB TiB, in bytes")
{
  CHECK(parsed("512B", Unit::Size) == 512);
  CHECK(parsed("4KB", Unit::Size) == 4000);
  CHECK(parsed("3MB", Unit::Size) == 3e6);
  CHECK(parsed("2GB", Unit::Size) == 2e9);
  CHECK(parsed("1TB", Unit::Size) == 1e12);
  CHECK(parsed("1PB", Unit::Size) == 1e15);
  CHECK(parsed("1KiB", Unit::Size) == 1024);
  CHECK(parsed("1MiB", Unit::Size) == 1048576);
  CHECK(parsed("2GiB", Unit::Size) == 2147483648.0);
  CHECK(parsed("1TiB", Unit::Size) == 1099511627776.0);
}

TEST_CASE("bandwidths: bits per second (bps) and bytes per second (Bps), in bytes per second")
{
  CHECK(parsed("8bps", Unit::Bandwidth) == Approx(1));
  CHECK(parsed("10Kbps", Unit::Bandwidth) == Approx(1250));
  CHECK(parsed("100Mbps", Unit::Bandwidth) == Approx(12.5e6));
  CHECK(parsed("10Gbps", Unit::Bandwidth) == Approx(1.25e9));
  CHECK(parsed("1Tbps", Unit::Bandwidth) == Approx(1.25e11));
  CHECK(parsed("1Bps", Unit::Bandwidth) == Approx(1));
  CHECK(parsed("5KBps", Unit::Bandwidth) == Approx(5000));
  CHECK(parsed("125MBps", Unit::Bandwidth) == Approx(1.25e8));
  CHECK(parsed("1GBps", Unit::Bandwidth) == Approx(1e9));
}

TEST_CASE("rates: N per s, ms, us, min, h or day, with an optional K M B multiplier")
{
  CHECK(parsed("10000/s", Unit::Rate) == Approx(10000));
  CHECK(parsed("10K/s", Unit::Rate) == Approx(10000));
  CHECK(parsed("2.5M/s", Unit::Rate) == Approx(2.5e6));
  CHECK(parsed("1B/day", Unit::Rate) == Approx(1e9 / 86400));
  CHECK(parsed("60/min", Unit::Rate) == Approx(1));
  CHECK(parsed("3600/h", Unit::Rate) == Approx(1));
  CHECK(parsed("1/ms", Unit::Rate) == Approx(1000));
  CHECK(parsed("1/us", Unit::Rate) == Approx(1e6));
  CHECK(parsed("0.5/s", Unit::Rate) == Approx(0.5));
}

TEST_CASE("counts: plain integers, K M B G T suffixes, exponents")
{
  CHECK(parsed("64", Unit::Count) == 64);
  CHECK(parsed("100K", Unit::Count) == 1e5);
  CHECK(parsed("100M", Unit::Count) == 1e8);
  CHECK(parsed("1B", Unit::Count) == 1e9);
  CHECK(parsed("1G", Unit::Count) == 1e9);
  CHECK(parsed("2T", Unit::Count) == 2e12);
  CHECK(parsed("1e9", Unit::Count) == 1e9);
  CHECK(parsed("1.5K", Unit::Count) == 1500);
}

TEST_CASE("fractions: a percentage or a bare number")
{
  CHECK(parsed("5%", Unit::Fraction) == Approx(0.05));
  CHECK(parsed("100%", Unit::Fraction) == Approx(1));
  CHECK(parsed("0.05", Unit::Fraction) == Approx(0.05));
  CHECK(parsed("0.1%", Unit::Fraction) == Approx(0.001));
}

TEST_CASE("speeds: f Kf Mf Gf Tf, in flop/s")
{
  CHECK(parsed("1f", Unit::Speed) == 1);
  CHECK(parsed("2.5Mf", Unit::Speed) == Approx(2.5e6));
  CHECK(parsed("1Gf", Unit::Speed) == Approx(1e9));
  CHECK(parsed("3Tf", Unit::Speed) == Approx(3e12));
}

TEST_CASE("plain numbers: any finite number, no unit")
{
  CHECK(parsed("0.99", Unit::Number) == Approx(0.99));
  CHECK(parsed("-1", Unit::Number) == -1);
  CHECK(parsed("+2", Unit::Number) == 2);
  CHECK(parsed("1e3", Unit::Number) == 1000);
  CHECK(refusal("5%", Unit::Number) == "unexpected unit '%' on a plain number");
}

TEST_CASE("a bare number is refused wherever a unit is needed")
{
  CHECK(refusal("50", Unit::Duration) == "a bare number needs a unit");
  CHECK(refusal("500", Unit::Size) == "a bare number needs a unit");
  CHECK(refusal("10", Unit::Bandwidth) == "a bare number needs a unit");
  CHECK(refusal("1", Unit::Speed) == "a bare number needs a unit");
  CHECK(refusal("100", Unit::Rate) == "a rate needs a time base such as /s");
  // Counts, fractions and plain numbers take bare numbers by design.
  CHECK(parse_quantity("50", Unit::Count).has_value());
  CHECK(parse_quantity("0.5", Unit::Fraction).has_value());
}

TEST_CASE("garbage is refused with a reason")
{
  CHECK(refusal("ms", Unit::Duration) == "'ms' does not start with a number");
  CHECK(refusal("1.2.3s", Unit::Duration) == "unknown duration unit '.3s'");
  CHECK(refusal("nan", Unit::Duration) == "'nan' does not start with a number");
  CHECK(refusal("nan", Unit::Number) == "'nan' does not start with a number");
  CHECK(refusal("inf", Unit::Number) == "'inf' does not start with a number");
  CHECK(refusal("-inf", Unit::Number) == "'-inf' does not start with a number");
  CHECK(refusal("1e999s", Unit::Duration) == "'1e999' is out of range");
  CHECK(refusal("1e999", Unit::Count) == "'1e999' is out of range");
  CHECK(refusal("", Unit::Duration) == "empty value");
  CHECK(refusal(" ", Unit::Duration) == "empty value");
  CHECK(refusal(".", Unit::Number) == "'.' does not start with a number");
  CHECK(refusal("-", Unit::Number) == "'-' does not start with a number");
  CHECK(refusal("0x10", Unit::Count) == "unknown count unit 'x10'");
  CHECK(refusal("2mss", Unit::Duration) == "unknown duration unit 'mss'");
  CHECK(refusal("2MB", Unit::Duration) == "unknown duration unit 'MB'");
  CHECK(refusal("5ms", Unit::Size) == "unknown size unit 'ms'");
  CHECK(refusal("1gbps", Unit::Bandwidth) == "unknown bandwidth unit 'gbps'");  // units are case-sensitive
  CHECK(refusal("10ms", Unit::Rate) == "'ms' is not a rate unit");
  CHECK(refusal("10K/x", Unit::Rate) == "unknown time base '/x' (use /s, /ms, /min, /h or /day)");
  CHECK(refusal("10Q/s", Unit::Rate) == "unknown count unit 'Q'");
  CHECK(refusal("5%%", Unit::Fraction).find("unknown fraction unit '%%'") == 0);
  CHECK(refusal("1e", Unit::Count) == "unknown count unit 'e'");
}

TEST_CASE("every family describes what it expects, for error messages")
{
  for (Unit u : {Unit::Duration, Unit::Size, Unit::Bandwidth, Unit::Rate, Unit::Count, Unit::Fraction, Unit::Speed,
                 Unit::Number}) {
    CHECK_FALSE(archsim::unit_expectation(u).empty());
    CHECK_FALSE(archsim::unit_name(u).empty());
  }
  CHECK(archsim::unit_expectation(Unit::Duration) == "a duration such as 50us, 2ms or 1.5s");
}

TEST_CASE("formatting picks the largest unit that keeps the number at least 1, three significant digits")
{
  CHECK(archsim::format_duration(0.00025) == "250us");
  CHECK(archsim::format_duration(0.002) == "2ms");
  CHECK(archsim::format_duration(1.5) == "1.5s");
  CHECK(archsim::format_duration(90) == "90s");
  CHECK(archsim::format_duration(7200) == "2h");
  CHECK(archsim::format_duration(0) == "0ns");
  CHECK(archsim::format_size(2.5e9) == "2.5GB");
  CHECK(archsim::format_size(512) == "512B");
  CHECK(archsim::format_rate(10000) == "10K/s");
  CHECK(archsim::format_rate(0.5) == "0.5/s");
  CHECK(archsim::format_count(64) == "64");
  CHECK(archsim::format_count(100e6) == "100M");
  CHECK(archsim::format_quantity(1.25e9, Unit::Bandwidth) == "10Gbps");
  CHECK(archsim::format_quantity(0.05, Unit::Fraction) == "5%");
  CHECK(archsim::format_quantity(1e9, Unit::Speed) == "1Gf");
  CHECK(archsim::format_quantity(0.99, Unit::Number) == "0.99");
}

TEST_CASE("format then parse gives the value back (to three significant digits)")
{
  const std::vector<std::pair<Unit, std::vector<double>>> cases{
      {Unit::Duration, {0, 1e-9, 2.5e-7, 5e-5, 0.00025, 0.002, 1.5, 59.5, 61, 90, 3599, 7200, 86400, -0.002}},
      {Unit::Size, {0, 1, 512, 4000, 1.5e6, 2.5e9, 1e12, 3e15}},
      {Unit::Bandwidth, {0, 1.0 / 8, 1250, 12.5e6, 1.25e9, 1.25e11}},
      {Unit::Rate, {1e-9, 0.5, 1, 900, 10000, 2.5e6, 1e9, 1e10}},
      {Unit::Count, {0, 1, 64, 9999, 15000, 1e8, 1e9, 2e12, 9.007e15}},
      {Unit::Fraction, {0, 0.001, 0.05, 0.5, 1}},
      {Unit::Speed, {1, 1e3, 2.5e6, 1e9, 3e12}},
      {Unit::Number, {0, -1, 0.99, 1e3, 1e-6}},
  };
  for (const auto& [unit, values] : cases) {
    for (double v : values) {
      std::string text = archsim::format_quantity(v, unit);
      INFO(archsim::unit_name(unit) << " " << v << " -> '" << text << "'");
      CHECK(parsed(text, unit) == Approx(v).epsilon(5e-3).margin(1e-300));
    }
  }
}
