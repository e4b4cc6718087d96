// The cron parser of the scheduler and batch_job models: the simulated calendar (time 0 is
// Monday 2026-01-05 00:00 UTC), next firing times of known schedules, a brute-force minute by
// minute check of several expressions, Vixie cron's day-of-month / day-of-week rule, "every Ns"
// periods, and clear errors for bad expressions.
#include <catch2/catch.hpp>

#include <cmath>
#include <functional>

#include "models/cron.h"

using namespace archsim;

namespace {
constexpr double kMin  = 60;
constexpr double kHour = 3600;
constexpr double kDay  = 86400;

double at(int y, int mo, int d, int h = 0, int mi = 0)
{
  CivilTime c;
  c.year   = y;
  c.month  = mo;
  c.day    = d;
  c.hour   = h;
  c.minute = mi;
  return seconds_of(c);
}

double next(const std::string& expr, double t)
{
  std::string error;
  auto tr = Trigger::parse(expr, &error);
  INFO(error);
  REQUIRE(tr);
  return tr->next_after(t);
}

std::string error_of(const std::string& expr)
{
  std::string error;
  auto tr = Trigger::parse(expr, &error);
  CHECK(!tr);
  return error;
}
}  // namespace

TEST_CASE("simulated time 0 is Monday 2026-01-05 00:00 UTC")
{
  CivilTime c = civil_of(0);
  CHECK(c.year == 2026);
  CHECK(c.month == 1);
  CHECK(c.day == 5);
  CHECK(c.weekday == 1);
  CHECK(c.hour == 0);
  CHECK(at(2026, 1, 1) == -4 * kDay);  // New Year's Day 2026 was a Thursday
  CHECK(civil_of(-4 * kDay).weekday == 4);
  CivilTime later = civil_of(at(2028, 2, 29, 13, 7) + 30);
  CHECK(later.year == 2028);
  CHECK(later.month == 2);
  CHECK(later.day == 29);
  CHECK(later.hour == 13);
  CHECK(later.minute == 7);
  CHECK(later.second == Approx(30));
  CHECK(later.weekday == 2);  // 2028-02-29 is a Tuesday
}

TEST_CASE("weekdays at 9:00 fire Monday to Friday and skip the weekend")
{
  CHECK(next("0 9 * * 1-5", 0) == 9 * kHour);
  CHECK(next("0 9 * * 1-5", 9 * kHour) == kDay + 9 * kHour);  // strictly after
  CHECK(next("0 9 * * 1-5", 9 * kHour - 1) == 9 * kHour);
  CHECK(next("0 9 * * 1-5", 4 * kDay + 9 * kHour) == 7 * kDay + 9 * kHour);  // Friday -> Monday
  CHECK(next("0 9 * * mon-fri", 5 * kDay) == 7 * kDay + 9 * kHour);         // names, any case
  CHECK(next("0 9 * * MON-FRI", 5 * kDay) == 7 * kDay + 9 * kHour);
}

TEST_CASE("every 15 minutes fires on the quarter hours")
{
  CHECK(next("*/15 * * * *", -1) == 0);
  CHECK(next("*/15 * * * *", 0) == 15 * kMin);
  CHECK(next("*/15 * * * *", 899.5) == 15 * kMin);
  CHECK(next("*/15 * * * *", 45 * kMin) == kHour);
  CHECK(next("0-30/10 * * * *", 31 * kMin) == kHour);
  CHECK(next("5/20 * * * *", 0) == 5 * kMin);
  CHECK(next("5/20 * * * *", 45 * kMin) == kHour + 5 * kMin);
}

TEST_CASE("monthly, yearly and leap-day schedules cross month and year ends")
{
  CHECK(next("0 0 1 * *", 0) == at(2026, 2, 1));
  CHECK(next("0 0 1 * *", at(2026, 2, 1)) == at(2026, 3, 1));  // February 2026 has 28 days
  CHECK(next("@monthly", 0) == at(2026, 2, 1));
  CHECK(next("0 0 1 1 *", 0) == at(2027, 1, 1));
  CHECK(next("@yearly", 0) == at(2027, 1, 1));
  CHECK(next("0 0 29 2 *", 0) == at(2028, 2, 29));
  CHECK(next("0 12 * jun *", 0) == at(2026, 6, 1, 12));
  CHECK(next("30 23 31 * *", 0) == at(2026, 1, 31, 23, 30));
  CHECK(next("30 23 31 * *", at(2026, 1, 31, 23, 30)) == at(2026, 3, 31, 23, 30));  // no 31st in February
  CHECK(std::isinf(next("0 0 30 2 *", 0)));  // February 30th never comes
}

TEST_CASE("day of month and day of week: either matches when both are restricted (Vixie cron)")
{
  // Friday the 13th is not "13 AND Friday": it fires on every 13th and every Friday.
  CHECK(next("0 0 13 * 5", 0) == 4 * kDay);             // Friday 2026-01-09
  CHECK(next("0 0 13 * 5", 4 * kDay) == 8 * kDay);      // Tuesday 2026-01-13
  // A field starting with '*' counts as unrestricted: "*/2" days AND Mondays.
  CHECK(next("0 0 */2 * 1", -1) == 0);                  // Monday the 5th (odd)
  CHECK(next("0 0 */2 * 1", 0) == at(2026, 1, 19));      // the 12th is even, the 19th is odd
  CHECK(next("0 0 * * 0", 0) == 6 * kDay);               // Sunday
  CHECK(next("0 0 * * 7", 0) == 6 * kDay);               // 7 is Sunday too
  CHECK(next("0 0 * * 5-7", 0) == 4 * kDay);
  CHECK(next("@weekly", 0) == 6 * kDay);
  CHECK(next("@daily", 0) == kDay);
  CHECK(next("@hourly", 0) == kHour);
  CHECK(next("15 10,14 * * *", 11 * kHour) == 14 * kHour + 15 * kMin);
}

TEST_CASE("next firing times agree with a minute-by-minute search over 70 days")
{
  struct Case {
    const char* expr;
    std::function<bool(const CivilTime&)> fires;
  };
  std::vector<Case> cases = {
      {"0 9 * * 1-5", [](const CivilTime& c) { return c.minute == 0 && c.hour == 9 && c.weekday >= 1 && c.weekday <= 5; }},
      {"*/7 */5 * * *", [](const CivilTime& c) { return c.minute % 7 == 0 && c.hour % 5 == 0; }},
      {"0 0 1,15 * *", [](const CivilTime& c) { return c.minute == 0 && c.hour == 0 && (c.day == 1 || c.day == 15); }},
      {"30 6 10-12 * sat",
       [](const CivilTime& c) {
         return c.minute == 30 && c.hour == 6 && ((c.day >= 10 && c.day <= 12) || c.weekday == 6);
       }},
      {"45 23 * feb,mar *", [](const CivilTime& c) { return c.minute == 45 && c.hour == 23 && (c.month == 2 || c.month == 3); }},
  };
  for (const auto& k : cases) {
    INFO(k.expr);
    auto tr = Trigger::parse(k.expr);
    REQUIRE(tr);
    // From a start every 7 h 13 min, the brute force walks minute by minute to the first match.
    for (double start = -3 * kHour; start < 70 * kDay; start += 7 * kHour + 13 * kMin) {
      double t = (std::floor(start / kMin) + 1) * kMin;
      while (!k.fires(civil_of(t)))
        t += kMin;
      REQUIRE(tr->next_after(start) == t);
    }
  }
}

TEST_CASE("every N fires at the whole multiples of N")
{
  CHECK(next("every 30s", -1) == 0);
  CHECK(next("every 30s", 0) == 30);
  CHECK(next("every 30s", 29.9) == 30);
  CHECK(next("every 30s", 30) == 60);
  CHECK(next("every 5min", 0) == 300);
  CHECK(next("every 250ms", 1.0) == Approx(1.25));
  auto tr = Trigger::parse("every 2h");
  REQUIRE(tr);
  CHECK(tr->periodic());
  CHECK(tr->period() == 2 * kHour);
}

TEST_CASE("bad cron expressions are refused with the reason")
{
  CHECK_THAT(error_of("61 * * * *"), Catch::Contains("out of range 0-59"));
  CHECK_THAT(error_of("* * *"), Catch::Contains("5 fields"));
  CHECK_THAT(error_of("*/0 * * * *"), Catch::Contains("step"));
  CHECK_THAT(error_of("5-1 * * * *"), Catch::Contains("backwards"));
  CHECK_THAT(error_of("0 0 0 * *"), Catch::Contains("day of month"));
  CHECK_THAT(error_of("0 0 * 13 *"), Catch::Contains("month"));
  CHECK_THAT(error_of("0 0 * * funday"), Catch::Contains("day of week"));
  CHECK_THAT(error_of("@sometimes"), Catch::Contains("unknown macro"));
  CHECK_THAT(error_of("every 5"), Catch::Contains("every"));
  CHECK_THAT(error_of("every -5s"), Catch::Contains("every"));
  CHECK_THAT(error_of("0 0 1,,2 * *"), Catch::Contains("empty"));
}

TEST_CASE("trigger lists and time lists")
{
  std::string error;
  auto list = parse_triggers("*/5 * * * *; every 30s ;", &error);
  REQUIRE(list);
  REQUIRE(list->size() == 2);
  CHECK((*list)[0].next_after(0) == 300);
  CHECK((*list)[1].next_after(0) == 30);
  CHECK(!parse_triggers("*/5 * * * *; 99 * * * *", &error));
  CHECK_THAT(error, Catch::Contains("out of range"));
  auto times = parse_times("1min, 5s;90s");
  REQUIRE(times);
  CHECK(*times == std::vector<double>{5, 60, 90});
  CHECK(!parse_times("5s, soon"));
}
