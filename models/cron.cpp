#include "models/cron.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <sstream>

#include "sim/core/units.h"

namespace archsim {

namespace {

// Howard Hinnant's days_from_civil / civil_from_days (proleptic Gregorian calendar).
int64_t days_from_civil(int64_t y, int m, int d)
{
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe    = static_cast<int64_t>(y - era * 400);
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void civil_from_days(int64_t z, int& y, int& m, int& d)
{
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp  = (5 * doy + 2) / 153;
  d                 = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m                 = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y                 = static_cast<int>(yoe + era * 400 + (m <= 2 ? 1 : 0));
}

int weekday_of_days(int64_t z) { return static_cast<int>(((z + 4) % 7 + 7) % 7); }  // 1970-01-01 was a Thursday

const int64_t kEpochDays = days_from_civil(2026, 1, 5);  // Monday

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0); }

std::string trim(const std::string& s)
{
  size_t a = s.find_first_not_of(" \t\r\n");
  if (a == std::string::npos)
    return "";
  size_t b = s.find_last_not_of(" \t\r\n");
  return s.substr(a, b - a + 1);
}

std::string lower(std::string s)
{
  for (auto& ch : s)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

std::vector<std::string> split(const std::string& s, const std::string& seps)
{
  std::vector<std::string> out;
  std::string cur;
  for (char ch : s) {
    if (seps.find(ch) != std::string::npos) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  out.push_back(cur);
  return out;
}

struct Field {
  const char* name;
  int lo;
  int hi;  // inclusive (7 for weekdays: 7 = Sunday)
  std::vector<std::string> names;  // names[i] is value lo_name + i
  int names_from;
};

const Field kMinute{"minute", 0, 59, {}, 0};
const Field kHour{"hour", 0, 23, {}, 0};
const Field kDay{"day of month", 1, 31, {}, 0};
const Field kMonth{"month", 1, 12, {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}, 1};
const Field kWeekday{"day of week", 0, 7, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}, 0};

bool read_value(const Field& f, const std::string& text, int& out, std::string* error)
{
  if (text.empty()) {
    if (error)
      *error = std::string("empty value in the ") + f.name + " field";
    return false;
  }
  std::string t = lower(text);
  for (size_t i = 0; i < f.names.size(); ++i)
    if (t == f.names[i]) {
      out = f.names_from + static_cast<int>(i);
      return true;
    }
  if (!std::all_of(t.begin(), t.end(), [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); }) ||
      t.size() > 4) {
    if (error)
      *error = "'" + text + "' is not a number" + (f.names.empty() ? "" : " or a name") + " in the " + f.name +
               " field";
    return false;
  }
  out = std::stoi(t);
  if (out < f.lo || out > f.hi) {
    if (error)
      *error = "'" + text + "' is out of range " + std::to_string(f.lo) + "-" + std::to_string(f.hi) + " in the " +
               f.name + " field";
    return false;
  }
  return true;
}

// Sets the bits of one field; returns whether it starts with '*' (for the day rule).
bool read_field(const Field& f, const std::string& text, std::vector<bool>& bits, bool& star, std::string* error)
{
  bits.assign(static_cast<size_t>(f.hi) + 1, false);
  star = !text.empty() && text[0] == '*';
  for (const std::string& item : split(text, ",")) {
    std::string range = item;
    int step          = 1;
    size_t slash      = item.find('/');
    if (slash != std::string::npos) {
      range            = item.substr(0, slash);
      std::string stxt = item.substr(slash + 1);
      if (stxt.empty() || stxt.size() > 4 ||
          !std::all_of(stxt.begin(), stxt.end(), [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); }) ||
          std::stoi(stxt) == 0) {
        if (error)
          *error = "step '" + stxt + "' must be a whole number >= 1 in the " + std::string(f.name) + " field";
        return false;
      }
      step = std::stoi(stxt);
    }
    int lo = f.lo, hi = f.hi;
    if (range == "*") {
      if (&f == &kWeekday)
        hi = 6;  // '*' covers each day once
    } else {
      size_t dash = range.find('-');
      if (dash != std::string::npos) {
        if (!read_value(f, range.substr(0, dash), lo, error) || !read_value(f, range.substr(dash + 1), hi, error))
          return false;
        if (lo > hi) {
          if (error)
            *error = "range '" + range + "' runs backwards in the " + std::string(f.name) + " field";
          return false;
        }
      } else {
        if (!read_value(f, range, lo, error))
          return false;
        // "5/15": from 5 to the end of the field; a plain "5": just 5.
        hi = slash != std::string::npos ? (&f == &kWeekday ? 6 : f.hi) : lo;
      }
    }
    for (int v = lo; v <= hi; v += step)
      bits[static_cast<size_t>(v)] = true;
  }
  return true;
}

double floor_tolerant(double x) { return std::floor(x + 1e-9); }

}  // namespace

double seconds_of(const CivilTime& c)
{
  int64_t days = days_from_civil(c.year, c.month, c.day) - kEpochDays;
  return static_cast<double>(days) * 86400.0 + c.hour * 3600.0 + c.minute * 60.0 + c.second;
}

CivilTime civil_of(double t)
{
  auto days   = static_cast<int64_t>(std::floor(t / 86400.0));
  double rest = t - static_cast<double>(days) * 86400.0;
  CivilTime c;
  civil_from_days(kEpochDays + days, c.year, c.month, c.day);
  c.weekday = weekday_of_days(kEpochDays + days);
  c.hour    = static_cast<int>(rest / 3600.0);
  c.minute  = static_cast<int>((rest - c.hour * 3600.0) / 60.0);
  c.second  = rest - c.hour * 3600.0 - c.minute * 60.0;
  return c;
}

std::optional<CronExpr> CronExpr::parse(const std::string& input, std::string* error)
{
  std::string text = trim(input);
  static const std::vector<std::pair<std::string, std::string>> macros = {
      {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"}, {"@weekly", "0 0 * * 0"},
      {"@daily", "0 0 * * *"},  {"@midnight", "0 0 * * *"}, {"@hourly", "0 * * * *"},
  };
  if (!text.empty() && text[0] == '@') {
    auto it = std::find_if(macros.begin(), macros.end(), [&](const auto& m) { return m.first == lower(text); });
    if (it == macros.end()) {
      if (error)
        *error = "unknown macro '" + text + "' (known: @yearly @annually @monthly @weekly @daily @midnight @hourly)";
      return std::nullopt;
    }
    text = it->second;
  }
  std::istringstream in(text);
  std::vector<std::string> fields;
  for (std::string w; in >> w;)
    fields.push_back(w);
  if (fields.size() != 5) {
    if (error)
      *error = "a cron expression has 5 fields (minute hour day-of-month month day-of-week), got " +
               std::to_string(fields.size()) + " in '" + input + "'";
    return std::nullopt;
  }
  CronExpr e;
  std::vector<bool> bits;
  bool star = false;
  if (!read_field(kMinute, fields[0], bits, star, error))
    return std::nullopt;
  for (size_t i = 0; i < 60; ++i)
    e.minutes_[i] = bits[i];
  if (!read_field(kHour, fields[1], bits, star, error))
    return std::nullopt;
  for (size_t i = 0; i < 24; ++i)
    e.hours_[i] = bits[i];
  if (!read_field(kDay, fields[2], bits, e.day_star_, error))
    return std::nullopt;
  for (size_t i = 1; i <= 31; ++i)
    e.days_[i] = bits[i];
  if (!read_field(kMonth, fields[3], bits, star, error))
    return std::nullopt;
  for (size_t i = 1; i <= 12; ++i)
    e.months_[i] = bits[i];
  if (!read_field(kWeekday, fields[4], bits, e.weekday_star_, error))
    return std::nullopt;
  for (size_t i = 0; i < 7; ++i)
    e.weekdays_[i] = bits[i];
  if (bits[7])
    e.weekdays_[0] = true;  // 7 = Sunday
  return e;
}

bool CronExpr::matches_day(int month, int day, int weekday) const
{
  if (!months_[static_cast<size_t>(month)])
    return false;
  bool d = days_[static_cast<size_t>(day)];
  bool w = weekdays_[static_cast<size_t>(weekday)];
  if (!day_star_ && !weekday_star_)
    return d || w;
  return d && w;
}

double CronExpr::next_after(double t) const
{
  auto start  = static_cast<int64_t>(floor_tolerant(t / 60.0)) + 1;  // first whole minute after t
  int64_t day = floor_div(start, 1440);
  auto minute_of_day = static_cast<int>(start - day * 1440);
  // 28 years: every calendar (leap years, weekdays) repeats within them, so nothing found by then
  // never fires (e.g. February 30th).
  for (int i = 0; i < 28 * 366; ++i, ++day, minute_of_day = 0) {
    int y = 0, m = 0, d = 0;
    civil_from_days(kEpochDays + day, y, m, d);
    if (!matches_day(m, d, weekday_of_days(kEpochDays + day)))
      continue;
    int h0 = minute_of_day / 60;
    for (int h = h0; h < 24; ++h) {
      if (!hours_[static_cast<size_t>(h)])
        continue;
      for (int mi = h == h0 ? minute_of_day % 60 : 0; mi < 60; ++mi)
        if (minutes_[static_cast<size_t>(mi)])
          return static_cast<double>(day * 1440 + h * 60 + mi) * 60.0;
    }
  }
  return std::numeric_limits<double>::infinity();
}

std::optional<Trigger> Trigger::parse(const std::string& input, std::string* error)
{
  std::string text = trim(input);
  Trigger tr;
  tr.text_ = text;
  if (lower(text.substr(0, 6)) == "every ") {
    std::string why;
    auto period = parse_quantity(trim(text.substr(6)), Unit::Duration, &why);
    if (!period || *period <= 0) {
      if (error)
        *error = "'" + text + "': 'every' needs a positive duration such as 30s or 5min" +
                 (why.empty() ? "" : " (" + why + ")");
      return std::nullopt;
    }
    tr.period_ = *period;
    return tr;
  }
  tr.cron_ = CronExpr::parse(text, error);
  if (!tr.cron_)
    return std::nullopt;
  return tr;
}

double Trigger::next_after(double t) const
{
  if (period_ > 0) {
    double k = std::floor(t / period_) + 1;
    if (k * period_ <= t + 1e-9 * std::max(1.0, period_))
      k += 1;
    return k * period_;
  }
  return cron_->next_after(t);
}

std::optional<std::vector<Trigger>> parse_triggers(const std::string& list, std::string* error)
{
  std::vector<Trigger> out;
  for (const std::string& part : split(list, ";")) {
    if (trim(part).empty())
      continue;
    auto tr = Trigger::parse(part, error);
    if (!tr)
      return std::nullopt;
    out.push_back(*tr);
  }
  return out;
}

std::optional<std::vector<double>> parse_times(const std::string& list, std::string* error)
{
  std::vector<double> out;
  for (const std::string& part : split(list, ",;")) {
    std::string t = trim(part);
    if (t.empty())
      continue;
    std::string why;
    auto v = parse_quantity(t, Unit::Duration, &why);
    if (!v || *v < 0) {
      if (error)
        *error = "'" + t + "' is not a time such as 30s or 5min" + (why.empty() ? "" : " (" + why + ")");
      return std::nullopt;
    }
    out.push_back(*v);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace archsim
