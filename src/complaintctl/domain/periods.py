"""The periods a report covers: a month, a quarter, a year, a financial year, or any dates.

Pure: stdlib and zoneinfo only. A period is a run of whole local dates, first to last
inclusive; its instants run from local midnight at its start to local midnight after its last
day, in the calendar's zone (so a period is the same days in summer and winter).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from complaintctl.domain.instants import FIRST_YEAR, LAST_YEAR, start_of_day
from complaintctl.text import quoted

# The first month of the financial year [ours: the UK's April to March].
FINANCIAL_YEAR_STARTS = 4


class PeriodError(ValueError):
    """A period that cannot be read, or runs backwards."""


@dataclass(frozen=True)
class Period:
    label: str  # how it was asked for: 2026-11, 2026-Q4, 2026, 2026-27, or its dates
    first: date
    last: date  # inclusive
    kind: str  # month, quarter, year, financial-year or dates

    def starts(self, tz: ZoneInfo) -> datetime:
        return start_of_day(self.first, tz)

    def ends(self, tz: ZoneInfo) -> datetime:
        """The instant just after the period: local midnight after its last day."""
        return start_of_day(self.last + timedelta(days=1), tz)

    def previous(self) -> Period:
        """The period before, of the same kind (dates: as many days, just before)."""
        if self.kind == "month":
            return month(_month_before(self.first))
        if self.kind == "quarter":
            year, quarter = self.first.year, (self.first.month - 1) // 3 + 1
            return quarter_of(year - 1, 4) if quarter == 1 else quarter_of(year, quarter - 1)
        if self.kind == "year":
            return calendar_year(self.first.year - 1)
        if self.kind == "financial-year":
            return financial_year(self.first.year - 1)
        days = (self.last - self.first).days + 1
        return between(self.first - timedelta(days=days), self.first - timedelta(days=1))

    def months(self) -> tuple[Period, ...]:
        """Each calendar month the period touches, cut to the period's dates."""
        found = []
        start = self.first
        while start <= self.last:
            whole = month(start)
            first, last = max(whole.first, self.first), min(whole.last, self.last)
            if (first, last) == (whole.first, whole.last):
                found.append(whole)
            else:
                found.append(Period(_dates(first, last), first, last, "dates"))
            start = whole.last + timedelta(days=1)
        return tuple(found)


def _month_before(day: date) -> date:
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def _dates(first: date, last: date) -> str:
    return f"{first.isoformat()} to {last.isoformat()}"


def month(day: date) -> Period:
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return Period(f"{first:%Y-%m}", first, following - timedelta(days=1), "month")


def quarter_of(year: int, quarter: int) -> Period:
    first = date(year, 3 * quarter - 2, 1)
    last = month(date(year, 3 * quarter, 1)).last
    return Period(f"{year}-Q{quarter}", first, last, "quarter")


def calendar_year(year: int) -> Period:
    return Period(f"{year}", date(year, 1, 1), date(year, 12, 31), "year")


def financial_year(year: int) -> Period:
    """April `year` to March `year + 1`, written 2026-27; `FY2011-12` where the short form
    would read as a month (2011-12 is December 2011), so that its label says which it is."""
    first = date(year, FINANCIAL_YEAR_STARTS, 1)
    last = date(year + 1, FINANCIAL_YEAR_STARTS, 1) - timedelta(days=1)
    following = (year + 1) % 100
    label = f"{year}-{following:02}"
    if 1 <= following <= 12:
        label = "FY" + label
    return Period(label, first, last, "financial-year")


def between(first: date, last: date) -> Period:
    if last < first:
        raise PeriodError(f"the period ends ({last}) before it begins ({first})")
    return Period(_dates(first, last), first, last, "dates")


_YEAR = r"(?P<year>\d{4})"
_FORMS = {
    "quarter": re.compile(_YEAR + r"-[Qq](?P<quarter>\d)"),
    "financial-year": re.compile(r"(?:FY|fy)?" + _YEAR + r"[-/](?P<next>\d{2})"),
    "month": re.compile(_YEAR + r"-(?P<month>\d{2})"),
    "year": re.compile(_YEAR),
}
WRITTEN = "2026-11 (a month), 2026-Q4 (a quarter), 2026 (a year) or 2026-27 (April to March)"


def parse_period(text: str) -> Period:
    """A period as written: `2026-11`, `2026-Q4`, `2026`, or `2026-27` (the financial year
    April 2026 to March 2027; `FY2026-27` too). `2011-12` reads as December 2011, as ISO 8601
    has it; write `FY2011-12` for that financial year."""
    cleaned = text.strip()
    if not cleaned.isascii():
        raise PeriodError(f"{quoted(text)} is not a period: write {WRITTEN}")
    month_match = _FORMS["month"].fullmatch(cleaned)
    if month_match and 1 <= int(month_match["month"]) <= 12:
        day = date(_year(month_match, text), int(month_match["month"]), 1)
        return _within(month(day), text)
    found = _FORMS["quarter"].fullmatch(cleaned)
    if found:
        quarter = int(found["quarter"])
        if not 1 <= quarter <= 4:
            raise PeriodError(f"{quoted(text)}: a year has quarters Q1 to Q4")
        return _within(quarter_of(_year(found, text), quarter), text)
    found = _FORMS["financial-year"].fullmatch(cleaned)
    if found:
        year = _year(found, text)
        if int(found["next"]) != (year + 1) % 100:
            if month_match:
                raise PeriodError(
                    f"{quoted(text)} is neither a month (01 to 12) nor a financial year "
                    f"({year}-{(year + 1) % 100:02}, April to March)"
                )
            raise PeriodError(
                f"{quoted(text)}: a financial year runs April to March of the next year, so it is "
                f"written {year}-{(year + 1) % 100:02}"
            )
        return _within(financial_year(year), text)
    found = _FORMS["year"].fullmatch(cleaned)
    if found:
        return _within(calendar_year(_year(found, text)), text)
    if month_match:
        raise PeriodError(f"{quoted(text)}: a month is 01 to 12")
    raise PeriodError(f"{quoted(text)} is not a period: write {WRITTEN}")


def _outside(text: str) -> PeriodError:
    return PeriodError(
        f"{quoted(text)} is outside the years complaintctl works with ({FIRST_YEAR}–{LAST_YEAR})"
    )


def _year(found: re.Match[str], text: str) -> int:
    """The year written, refused before any date is made of it (year 0 or 9999's December
    would not fit the calendar at all)."""
    year = int(found["year"])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise _outside(text)
    return year


def _within(period: Period, text: str) -> Period:
    if not (FIRST_YEAR <= period.first.year and period.last.year <= LAST_YEAR):
        raise _outside(text)
    return period
