#pragma once
// Triggers of the scheduler and batch_job models, without SimGrid: cron expressions (minute hour
// day-of-month month day-of-week, as Vixie cron reads them) and fixed periods ("every 30s").
//
// Simulated time 0 is a fixed epoch, Monday 2026-01-05 00:00:00 UTC, so that "0 9 * * 1-5" means
// 09:00 on weekdays of the simulated calendar: t = 9 h is Monday 09:00, t = 5 days is Saturday
// 00:00. Times are seconds since that epoch; cron fields match in UTC.
//
// Cron syntax kept: `*`, numbers, lists (`1,15`), ranges (`1-5`), steps (`*/15`, `0-30/10`,
// `5/15` = from 5 to the field's end), month and weekday names (JAN-DEC, SUN-SAT, any case),
// weekday 7 = Sunday, and the macros @yearly @annually @monthly @weekly @daily @midnight @hourly.
// Day-of-month and day-of-week: when both are restricted (neither field starts with `*`) a day
// matching either fires (Vixie cron and POSIX); otherwise both must match. Not kept: seconds
// fields, `L`, `W`, `#`, `?`, time zones and daylight saving.
#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace archsim {

// A calendar date and time of day in the simulated calendar (UTC).
struct CivilTime {
  int year    = 2026;
  int month   = 1;  // 1..12
  int day     = 5;  // 1..31
  int hour    = 0;
  int minute  = 0;
  double second = 0;
  int weekday = 1;  // 0 = Sunday .. 6 = Saturday
};

// Seconds since the epoch of a civil time (weekday ignored), and back.
double seconds_of(const CivilTime& c);
CivilTime civil_of(double t);

class CronExpr {
public:
  // Parses the five fields (or a macro). On failure returns nullopt and says why in `error`.
  static std::optional<CronExpr> parse(const std::string& text, std::string* error = nullptr);
  // The first time strictly after `t` at which the expression fires (at second 0 of a matching
  // minute); +infinity when it never does (e.g. "0 0 30 2 *").
  double next_after(double t) const;
  bool matches_day(int month, int day, int weekday) const;

private:
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;     // 1..31
  std::bitset<13> months_;   // 1..12
  std::bitset<7> weekdays_;  // 0 = Sunday
  bool day_star_     = true;
  bool weekday_star_ = true;
};

// One trigger: a cron expression or a fixed period.
class Trigger {
public:
  // "*/5 * * * *", "@daily", "every 30s", "every 5min".
  static std::optional<Trigger> parse(const std::string& text, std::string* error = nullptr);
  // The first firing strictly after `t`. A period fires at every whole multiple of it (t = 30 s,
  // 60 s, ... for "every 30s", and at 0 when asked for the first firing after a negative time).
  double next_after(double t) const;
  const std::string& text() const { return text_; }
  bool periodic() const { return period_ > 0; }
  double period() const { return period_; }

private:
  std::string text_;
  double period_ = 0;  // > 0: "every"
  std::optional<CronExpr> cron_;
};

// A list of triggers separated by ';' (empty entries ignored). nullopt and `error` (naming the
// entry) on the first bad one.
std::optional<std::vector<Trigger>> parse_triggers(const std::string& list, std::string* error = nullptr);

// A list of durations separated by ',' or ';' ("5s, 1min, 90s"), sorted; nullopt on a bad one.
std::optional<std::vector<double>> parse_times(const std::string& list, std::string* error = nullptr);

}  // namespace archsim
