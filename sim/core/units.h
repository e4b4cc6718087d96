#pragma once
// The one parser and formatter of quantities with units. Scenarios write every physical
// quantity with an explicit unit ("50us", "2ms", "10Gbps", "2GB", "10000/s", "100M"); a bare
// number where a unit is needed is an error, because "50" could be seconds or microseconds and
// a silently wrong unit is the worst kind of wrong answer. Values are held in SI base units:
// seconds, bytes, bytes per second, events per second, plain counts, fractions, flop/s.
#include <optional>
#include <string>
#include <string_view>

namespace archsim {

enum class Unit {
  Duration,   // seconds:   ns us µs ms s min h
  Size,       // bytes:     B KB MB GB TB PB (powers of 1000), KiB MiB GiB TiB (powers of 1024)
  Bandwidth,  // bytes/s:   bps Kbps Mbps Gbps Tbps (bits), Bps KBps MBps GBps (bytes)
  Rate,       // events/s:  N/s N/ms N/min N/h N/day, N may carry K M B (e.g. 10K/s)
  Count,      // plain:     integer, or with K M B T suffix (100M, 1B = 10^9), or 1e9
  Fraction,   // 0..1:      "5%" or a bare number such as 0.05
  Speed,      // flop/s:    f Kf Mf Gf Tf (SimGrid's notation)
  Number,     // any bare number, no unit (e.g. a zipf exponent)
};

// Parses `text` as a quantity of `unit`. On failure returns nullopt and, if `error` is given,
// sets it to a description of what went wrong ("unknown unit 'mss'", "a bare number needs a unit").
std::optional<double> parse_quantity(std::string_view text, Unit unit, std::string* error = nullptr);

// What a value of `unit` looks like, for error messages: "a duration such as 50us, 2ms or 1.5s".
std::string unit_expectation(Unit unit);
// Short unit family name: "duration", "size", ...
std::string unit_name(Unit unit);

// Human-readable renderings with three significant digits, in the largest unit that keeps
// the number >= 1: 0.00025 -> "250us", 2.5e9 -> "2.5GB", 1.25e9 (B/s) -> "10Gbps".
std::string format_quantity(double value, Unit unit);
std::string format_duration(double seconds);
std::string format_size(double bytes);
std::string format_rate(double per_second);
std::string format_count(double count);

}  // namespace archsim
