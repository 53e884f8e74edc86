"""Reading and writing instants as people and scripts type them.

Input is ISO 8601. Without an offset it is wall-clock time in the calendar's zone, and a wall time
that does not exist (clocks going forward) or happens twice (clocks going back) is refused with
the way to write it unambiguously. Output is ISO 8601 with the offset.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from time import strptime as strptime_fields
from zoneinfo import ZoneInfo

from complaintctl.text import quoted

# Dates outside these years are typing mistakes, and would take the calendar's day-by-day
# arithmetic to the ends of what datetime can hold.
FIRST_YEAR, LAST_YEAR = 2000, 2099


class InstantError(ValueError):
    """A date or time that cannot be read, or read only one way."""


# The last second of a day, where a date typed as a deadline falls due.
END_OF_DAY = time(23, 59, 59)


def start_of_day(day: date, tz: ZoneInfo) -> datetime:
    """The first instant of `day` in `tz`, as UTC: its midnight; where the clocks go forward
    at midnight (America/Santiago in September), the instant after the gap (01:00); where they
    go back through midnight (America/Havana in November), the first midnight."""
    # fold=0 reads a wall time with the offset before a change: in a gap, the one past it.
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    """The last second of `day` in `tz`, 23:59:59, as UTC: where the clocks go back at
    midnight (Africa/Cairo, on a Thursday), the day's last hour comes twice, and the day ends
    at the later 23:59:59."""
    return datetime.combine(day, END_OF_DAY, tzinfo=tz).replace(fold=1).astimezone(UTC)


def parse_instant(text: str, tz: ZoneInfo, fmt: str | None = None) -> datetime:
    """An aware UTC datetime from ISO 8601 (a bare date means the start of that local day:
    its midnight, or where the clocks skip or repeat midnight, `start_of_day`), or from
    `fmt` (strftime codes, as `import --date-format` gives), wall time in `tz` alike."""
    cleaned = text.strip()
    if fmt is None:
        _refuse_week_alone(text, cleaned)
    try:
        if fmt is not None and not _ascii_digits(cleaned):
            raise ValueError  # strptime reads any script's digits; complaintctl reads 0-9
        parsed = datetime.fromisoformat(cleaned) if fmt is None else _by_format(cleaned, fmt)
    except ValueError as err:
        if fmt is not None:
            raise _not_by_format(text, fmt, err) from None
        if _names_no_day(cleaned):
            raise _no_such_day(text) from None
        raise InstantError(
            f"{quoted(text)} is not a date and time; write ISO 8601, e.g. 2026-11-27T14:30 "
            "or 2026-11-27T14:30+00:00"
        ) from None
    if fmt is not None:
        _refuse_weekday_disagreeing(text, cleaned, fmt, parsed.date())
        _refuse_meridiem_disagreeing(text, cleaned, fmt, parsed.hour)
    _refuse_offset_no_place_keeps(text, parsed)
    # The year written may differ from the calendar's own by a day's offset: checked loosely
    # here, so the conversion stays in range, then as the calendar's local date.
    if not FIRST_YEAR - 1 <= parsed.year <= LAST_YEAR + 1:
        raise _outside(text)
    if fmt is None:
        _refuse_fraction_before_seconds(text, cleaned, parsed)
        _refuse_date_joined_oddly(text, cleaned, parsed)
    if parsed.tzinfo is not None:
        instant = parsed.astimezone(UTC)
    elif _is_date_alone(cleaned) if fmt is None else _TIME_CODE.search(fmt) is None:
        # No time was typed, so none can be written with an offset: the day's first instant.
        instant = start_of_day(parsed.date(), tz)
    else:
        instant = local_to_utc(parsed, tz, original=cleaned, fmt=fmt)
    if not FIRST_YEAR <= instant.astimezone(tz).year <= LAST_YEAR:
        raise _outside(text)
    return instant


_DAY_WRITTEN = re.compile(r"(\d{4})-(\d\d)-(\d\d)")
_WEEK_ALONE = re.compile(r"(\d{4})-?W(\d\d)", re.IGNORECASE)
_WEEK_DAY_WRITTEN = re.compile(r"(\d{4})-?W(\d\d)-?(\d)")


def _refuse_week_alone(text: str, cleaned: str) -> None:
    """Python reads an ISO week with no weekday (2026-W52) as its Monday: a deadline "by week
    52" would fall on the Monday, a period "to week 52" end there. Which day is meant is the
    user's to say."""
    week = _WEEK_ALONE.fullmatch(cleaned[: _iso_date_length(cleaned)])
    if week is not None:
        year, number = week.groups()
        raise InstantError(
            f"{quoted(text)} names a week, not a day: write its day too, e.g. {year}-W{number}-1 "
            f"for its Monday or {year}-W{number}-5 for its Friday"
        )


def _iso_date_length(text: str) -> int:
    """How many characters of `text` `datetime.fromisoformat` takes for the date, by Python's
    own rule (CPython's `_find_isoformat_datetime_separator`): any one character may follow
    it, then the time. `2026-W10-1010` is the week 2026-W10 at 10:10, say."""
    if len(text) < 8:
        return len(text)
    if text[4] == "-":
        if text[5] != "W":
            return 10  # 2026-11-27
        if len(text) > 8 and text[8] == "-":  # 2026-W10-1, or 2026-W10 with a "-" and a time
            return 8 if len(text) > 10 and text[10] in _DIGITS else 10
        return 8  # 2026-W10
    if text[4] == "W":  # 2026W10 or 2026W101, told apart by how many digits follow
        end = 7
        while end < len(text) and text[end] in _DIGITS:
            end += 1
        return end if end < 9 else 7 if end % 2 == 0 else 8
    return 8  # 20261127


_DIGITS = "0123456789"
# A time's hour, or its hour and minute, followed at once by a decimal fraction (10.5, 10:30.5,
# 1030,5; never a time with its seconds, 10:30:15.5), then an offset or nothing.
_FRACTION_BEFORE_SECONDS = re.compile(
    r"(\d\d)(?::?(\d\d))?[.,](\d+)(?:[Zz+-].*)?", re.ASCII | re.DOTALL
)
# Digits of a fraction enough to say the time it gives to the microsecond (Python's integers
# refuse text of over 4,300 digits, and a pasted fraction may be longer).
_FRACTION_DIGITS = 30


def _refuse_fraction_before_seconds(text: str, cleaned: str, parsed: datetime) -> None:
    """ISO 8601 lets the last part of a time carry a fraction: 10.5 is half past ten, 10:30.5
    is 10:30:30. Python reads either fraction as of a second (10:00:00.5, 10:30:00.5), so a
    step typed as at 10.5 would be recorded half an hour before the time meant, and judged
    against its deadline so. Only text Python read (`parsed`) is looked at: anything else is
    refused as no date and time, as before. Refused, saying the time ISO 8601 reads and how to
    write it, and where the fraction looks like minutes (10.30), how to write those."""
    length = _iso_date_length(cleaned)
    found = _FRACTION_BEFORE_SECONDS.fullmatch(cleaned, length + 1)
    if found is None:
        return
    day = cleaned[:length]
    hour, minute, digits = found.groups()
    digits = digits[:_FRACTION_DIGITS]
    unit = 3600 if minute is None else 60
    # Exact, cut to the microsecond (never rounded up past the hour or the day).
    past = (int(hour) * 3600 + int(minute or 0) * 60) * 10**6 + int(digits) * unit * 10**6 // (
        10 ** len(digits)
    )
    offset = _offset_written(parsed)
    read = f"{day}T{_time_written(past)}{offset}"
    looks = ""
    if len(digits) == 2 and int(digits) < 60:  # 10.30 written for half past ten, say
        finer = int(digits) * 60 if minute is None else int(minute) * 60 + int(digits)
        alike = _time_written((int(hour) * 3600 + finer) * 10**6)
        if alike != _time_written(past):
            looks = f"; for {alike}, write {day}T{alike}{offset}"
    raise InstantError(
        f"{quoted(text)} gives a fraction of the {'hour' if minute is None else 'minute'}, "
        "which complaintctl does not read (it could be taken for a fraction of a second): "
        f"ISO 8601 reads it as {read}, so write that{looks}"
    )


# The offsets places keep run from -12:00 (Baker Island) to +14:00 (Kiribati's Line Islands),
# in whole minutes. Python reads any offset under a day (+23:59, -23:00, +05:30:15): outside
# these it is a slip, and read it would put the instant most of a day out [ours].
EARLIEST_OFFSET, LATEST_OFFSET = timedelta(hours=-12), timedelta(hours=14)


def _refuse_offset_no_place_keeps(text: str, parsed: datetime) -> None:
    offset = parsed.utcoffset()
    if offset is None:
        return
    if EARLIEST_OFFSET <= offset <= LATEST_OFFSET and offset % timedelta(minutes=1) == timedelta(0):
        return
    raise InstantError(
        f"{quoted(text)} gives the offset {_offset_written(parsed)}, which no place keeps: an "
        "offset is whole minutes from -12:00 to +14:00"
    )


# An offset as it may follow a date: +01, +0100, +01:00.
_OFFSET_SHAPED = re.compile(r"[0-9]{2}(:?[0-9]{2})?", re.ASCII)


def _refuse_date_joined_oddly(text: str, cleaned: str, parsed: datetime) -> None:
    """[ours] Python takes any one character between the date and the time; ISO 8601 takes T
    (and people a space). A date written with its offset, as XML Schema writes one
    (`2026-12-01-05:00`), was read as 05:00 that day; an interval's slash (`2026-12-01/10`) as
    10:00. Refused, saying how to write it; T, t or a space (any whitespace) is read."""
    length = _iso_date_length(cleaned)
    if len(cleaned) <= length or cleaned[length] in "Tt" or cleaned[length].isspace():
        return
    day, joint, rest = cleaned[:length], cleaned[length], cleaned[length + 1 :]
    if joint in "+-":
        offset, example = "it", ""
        if _OFFSET_SHAPED.fullmatch(rest):
            offset, example = joint + rest, f"e.g. {day}T00:00{joint}{rest}, "
        raise InstantError(
            f"{quoted(text)} gives an offset after the date but no time (Python would read "
            f"{offset} as the time {_time_written(_past_midnight(parsed))}): write the time "
            f"before the offset, {example}or the date alone"
        )
    example = f", e.g. {day}T{rest}" if len(rest) <= 40 else ""
    raise InstantError(
        f"{quoted(text)} separates the date from the time by {joint!r}: write T or a space{example}"
    )


def _past_midnight(parsed: datetime) -> int:
    """How many microseconds past its midnight `parsed`'s wall time is."""
    return (parsed - parsed.replace(hour=0, minute=0, second=0, microsecond=0)) // timedelta(
        microseconds=1
    )


def _time_written(microseconds: int) -> str:
    """A time of day `microseconds` past midnight as ISO 8601 writes it: HH:MM, with the
    seconds and their fraction only where there are any."""
    seconds, micro = divmod(microseconds, 10**6)
    written = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}"
    if seconds % 60 or micro:
        written += f":{seconds % 60:02d}"
    if micro:
        written += f".{micro:06d}".rstrip("0")
    return written


def _offset_written(parsed: datetime) -> str:
    offset = parsed.utcoffset()
    if offset is None:
        return ""
    sign = "-" if offset < timedelta(0) else "+"
    return sign + _time_written(abs(offset) // timedelta(microseconds=1))


def parse_due(text: str, tz: ZoneInfo) -> datetime:
    """A deadline as typed (`extend --until`, `action add --due`): as `parse_instant`, but a
    bare date is the end of that day, 23:59:59 local, not its midnight: a timescale agreed as
    "by 10 June" is kept all of 10 June (as a subject-access request's due date is), where its
    midnight would make it due as 9 June ends. A date alone in any of ISO 8601's forms that
    `parse_instant` reads (`2026-06-10`, `20260610`, `2026-W24-3`) is such a date."""
    cleaned = text.strip()
    if not _is_date_alone(cleaned):
        return parse_instant(text, tz)
    parse_instant(text, tz)  # refused as any instant is, in the words typed
    return end_of_day(date.fromisoformat(cleaned), tz)


def _is_date_alone(text: str) -> bool:
    """Whether `text` is a date in one of ISO 8601's forms with no time (`2026-06-10`,
    `20260610`, `2026-W24-3`)."""
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _names_no_day(text: str) -> bool:
    """Whether `text` begins with a date written as it should be that is no day at all
    (2026-02-29, 2026-04-31, 2026-13-01; a week date, 2027-W53-1 in a year of 52 weeks or
    2026-W10-8): saying how to write it would not help."""
    written = _DAY_WRITTEN.match(text)
    week = _WEEK_DAY_WRITTEN.match(text)
    try:
        if written is not None:
            date(*(int(part) for part in written.groups()))
        elif week is not None:
            date.fromisocalendar(*(int(part) for part in week.groups()))
    except ValueError:
        return True
    return False


def _not_by_format(text: str, fmt: str, err: ValueError) -> InstantError:
    """A value `fmt` cannot read: written in it but in year 0 (strptime says the year is out
    of range: ours are 2000-2099), or no day (31/02/2026: strptime says the day is out of range
    for the month), or not written in it."""
    if str(err).startswith("year "):
        return _outside(text)
    if "out of range" in str(err):
        return InstantError(
            f"{quoted(text)} names no day of the calendar: check the month and the day"
        )
    if (hour := _hour_off_the_12_hour_clock(text.strip(), fmt)) is not None:
        return InstantError(
            f"{quoted(text)} gives the hour {hour:%H}, but the date format {_named(fmt)} reads "
            f"the hour on the 12-hour clock (%I), which takes 01 to 12 ({hour:%H:%M} is "
            f"{hour:%I:%M %p}): check the time, or use %H for the 24-hour clock"
        )
    return InstantError(f"{quoted(text)} does not match the date format {_named(fmt)}")


def _named(fmt: str, most: int = 40) -> str:
    """A date format as a bad row names it, cut short as `quoted` cuts a value: said again on
    every row, a format pasted long would bury what is wrong with each."""
    return fmt if len(fmt) <= most else f"{fmt[:most]}…"


def _hour_off_the_12_hour_clock(text: str, fmt: str) -> datetime | None:
    """[ours] Where `fmt` reads the hour by %I (01 to 12) and `text` is written in it but for
    an hour the 12-hour clock lacks (`00:30 AM`, `13:30 PM`), what it gives read on the
    24-hour clock; else None. strptime says only that it does not match."""
    if "I" not in _codes(fmt) or not _ascii_digits(text):
        return None
    try:
        read = datetime.strptime(
            text, re.sub(r"%(.)", lambda c: "%H" if c[1] == "I" else c[0], fmt)
        )
    except ValueError:
        return None
    return read if not 1 <= read.hour <= 12 else None


_NO_DAY = "names no day of the calendar: check the month and the day"


def _no_such_day(text: str) -> InstantError:
    # An ISO date: a year far outside ours (0000, 9999) is the slip to name, its weeks no help.
    if not FIRST_YEAR <= int(text.strip()[:4]) <= LAST_YEAR:
        return _outside(text)
    week = _WEEK_DAY_WRITTEN.match(text.strip())
    if week is None:
        return InstantError(
            f"{quoted(text)} names no day of the calendar: check the month and the day"
        )
    year = int(week[1])
    weeks = date(year, 12, 28).isocalendar().week  # the 28th of December is in the last week
    return InstantError(
        f"{quoted(text)} names no day of the calendar: check the week ({year} has {weeks}) and "
        "the day (1 for Monday to 7 for Sunday)"
    )


def _outside(text: str) -> InstantError:
    return InstantError(
        f"{quoted(text)} is outside the years complaintctl works with ({FIRST_YEAR}–{LAST_YEAR})"
    )


def local_to_utc(
    wall: datetime, tz: ZoneInfo, *, original: str | None = None, fmt: str | None = None
) -> datetime:
    """A naive wall-clock time in `tz` as a UTC instant, refusing gaps and repeats. Read by
    `fmt` (which has no offset), the way to write it is in that format with `%z` added."""
    shown = original or wall.isoformat(timespec="minutes")
    first = wall.replace(tzinfo=tz, fold=0)
    second = wall.replace(tzinfo=tz, fold=1)
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != wall:
        after = first.astimezone(UTC).astimezone(tz)
        if fmt is not None:
            raise InstantError(
                f"{shown} does not exist in {tz.key}: the clocks go forward then; the date "
                f"format {fmt} has no offset to say which instant you mean: add %z to it and "
                f"write one, e.g. {after.strftime(fmt + ' %z')} with --date-format '{fmt} %z'"
            )
        raise InstantError(
            f"{shown} does not exist in {tz.key}: the clocks go forward then; "
            f"write the offset to say which instant you mean, e.g. {after.isoformat()}"
        )
    if first.utcoffset() != second.utcoffset():
        if fmt is not None:
            raise InstantError(
                f"{shown} happens twice in {tz.key}: the clocks go back then; the date format "
                f"{fmt} has no offset to say which: add %z to it (--date-format '{fmt} %z') and "
                f"write {first.strftime(fmt + ' %z')} for the first or "
                f"{second.strftime(fmt + ' %z')} for the second"
            )
        raise InstantError(
            f"{shown} happens twice in {tz.key}: the clocks go back then; write "
            f"{first.isoformat()} for the first or {second.isoformat()} for the second"
        )
    return first.astimezone(UTC)


def parse_date(text: str, fmt: str | None = None) -> date:
    """A date from YYYY-MM-DD, or from `fmt`: the whole format, or its date alone (the
    format cut before its first time code), so `%d/%m/%Y %H:%M` reads `30/11/2026` too."""
    cleaned = text.strip()
    if fmt is None:
        _refuse_week_alone(text, cleaned)
    read_by = fmt
    try:
        if fmt is None:
            day = date.fromisoformat(cleaned)
        elif not _ascii_digits(cleaned):
            raise ValueError
        else:
            day, read_by = _date_by_format(cleaned, fmt)
    except ValueError as err:
        if fmt is not None:
            raise _not_by_format(text, fmt, err) from None
        if _names_no_day(cleaned):
            raise _no_such_day(text) from None
        raise InstantError(f"{quoted(text)} is not a date; write it as YYYY-MM-DD") from None
    if read_by is not None:
        _refuse_weekday_disagreeing(text, cleaned, read_by, day)
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise _outside(text)
    return day


def _ascii_digits(text: str) -> bool:
    return all(c.isascii() for c in text if c.isdigit())


# strftime codes of a time of day or an offset: a format's date part ends before the first.
_TIME_CODE = re.compile(r"%[HIMSpfzZXcT]")


def _date_by_format(text: str, fmt: str) -> tuple[date, str]:
    """`text` read by `fmt`, or by its date part alone, and the format that read it. Written
    in the whole format but no day (`29/02/2026 10:00`), it is refused as that, not as not
    written in the date part."""
    try:
        return datetime.strptime(text, fmt).date(), fmt
    except ValueError as err:
        first_time_code = _TIME_CODE.search(fmt)
        if first_time_code is None or "out of range" in str(err):
            raise
        date_part = fmt[: first_time_code.start()].rstrip(" T,")
        return datetime.strptime(text, date_part).date(), date_part


# strftime codes of a weekday (%c writes one too, as `Mon Nov 30 14:05:06 2026`).
_WEEKDAY_CODES = frozenset("aAuwc")


def _refuse_weekday_disagreeing(text: str, cleaned: str, fmt: str, day: date) -> None:
    """[ours] strptime reads a weekday beside a date and drops it: `Tue 30/11/2026` would be
    Monday 30 November without a word, though the file says two days and one is a slip, and
    which is not ours to guess. Refused, naming both."""
    if not _codes(fmt) & _WEEKDAY_CODES:
        return
    written = strptime_fields(cleaned, fmt).tm_wday  # as written, where datetime drops it
    if written != day.weekday():
        named = day + timedelta(days=written - day.weekday())
        raise InstantError(
            f"{quoted(text)} gives the weekday {named:%A}, but {day.isoformat()} is a "
            f"{day:%A}: check the day and the date"
        )


# A zone's name strptime reads (%Z) and what it means: UTC and GMT alone are the same offset
# wherever the file was written (BST, EST or CET are read only where they are this machine's).
_ZONE_NAMES = ("UTC", "GMT")
# A zone's name written into a format as text, or ISO 8601's Z after the time: read as nothing.
_ZONE_AS_TEXT = re.compile(r"(?<![A-Za-z])(UTC|GMT)(?![A-Za-z])|(?<=%[HMSfT])Z", re.IGNORECASE)


def _codes(fmt: str) -> set[str]:
    """The strftime codes of `fmt` (`%%` is a code of its own: a % written)."""
    return set(re.findall(r"%(.)", fmt))


def _naming(zone: str) -> Callable[[re.Match[str]], str]:
    """For re.sub over a format's codes: %Z written as `zone`, every other code kept."""
    return lambda code: zone if code[1] == "Z" else code[0]


def _by_format(text: str, fmt: str) -> datetime:
    """`text` read by `fmt`, with a zone's name (%Z) kept: strptime reads UTC or GMT and drops
    it, which would make 10:00 UTC 10:00 local time."""
    parsed = datetime.strptime(text, fmt)
    if "Z" not in _codes(fmt) or parsed.tzinfo is not None:
        return parsed
    for name in _ZONE_NAMES:
        try:
            datetime.strptime(text, re.sub(r"%(.)", _naming(name), fmt))
        except ValueError:
            continue
        return parsed.replace(tzinfo=UTC)
    raise ValueError("a zone's name other than UTC or GMT: give its offset (%z)")


def _hour_with_meridiem(codes: set[str]) -> bool:
    """Whether a format writes the 24-hour hour (%H) with AM or PM (%p) beside it."""
    return {"H", "p"} <= codes and "I" not in codes


def _refuse_meridiem_disagreeing(text: str, cleaned: str, fmt: str, hour: int) -> None:
    """[ours] A form that writes the 24-hour hour with AM or PM (`14:05 PM`) is read by %H,
    its AM or PM held to it: AM before noon, PM from noon. One that disagrees (`2:05 PM`, as a
    12-hour clock writes 14:05) is refused, never read as 02:05: a receipt twelve hours out
    moves every deadline counted from it. Every value taken reads the same on either clock."""
    if not _hour_with_meridiem(_codes(fmt)):
        return
    am = datetime(2000, 1, 1, 1).strftime("%p")  # as strptime reads %p: this locale's AM
    try:
        datetime.strptime(
            cleaned, re.sub(r"%(.)", lambda code: am if code[1] == "p" else code[0], fmt)
        )
    except ValueError:
        meridiem = datetime(2000, 1, 1, 13).strftime("%p")
    else:
        meridiem = am
    if (meridiem == am) == (hour >= 12):
        raise InstantError(
            f"{quoted(text)} gives the hour {hour:02d} with {meridiem}, but the date format "
            f"{_named(fmt)} reads the hour on the 24-hour clock (%H), where {hour:02d} is "
            f"{'PM' if hour >= 12 else 'AM'}: check the time, or use %I for a 12-hour clock"
        )


def check_date_format(fmt: str) -> None:
    """Refuse a format that cannot read back a date it writes (an unknown code, or no year,
    month and day), or the time of day it writes, before any row is read: each would put a
    receipt, and every deadline counted from it, at another instant than the file says."""
    sample = datetime(2026, 11, 30, 14, 5, 6, tzinfo=UTC)
    try:
        read = datetime.strptime(sample.strftime(fmt), fmt)
    except (ValueError, OverflowError):
        read = None
    except re.error:  # strptime reads each code once: `%d/%m/%Y %d` is no pattern at all
        raise InstantError(
            f"the date format {quoted(fmt)} gives a code more than once (strptime reads each once, "
            "%c and %x holding the day too): give each once, e.g. %d/%m/%Y %H:%M"
        ) from None
    if read is None or read.date() != sample.date():
        raise InstantError(
            f"the date format {quoted(fmt)} cannot be read back; give strftime codes with the "
            "year, month and day, e.g. %d/%m/%Y %H:%M"
        )
    _refuse_a_part_twice(fmt)
    codes = _codes(fmt)
    # strptime counts a day by its week or its day of the year without checking the year has
    # it: 2025-W53-1 (2025 has 52 weeks) is read as 2025-12-29, and day 366 of 2025 as
    # 2026-01-01. A receipt on another day than the file says moves every deadline.
    if by_count := sorted(codes & {"j", "U", "W", "V"}):
        raise InstantError(
            f"the date format {quoted(fmt)} gives the day by "
            f"{', '.join('%' + c for c in by_count)} (its week or its day of the year), which "
            "strptime does not check (a day the year lacks is read as another day): write the "
            "date with %Y, %m and %d"
        )
    # Written as text, a zone is read as nothing: 10:00 UTC would be 10:00 local time.
    if zone := _ZONE_AS_TEXT.search(re.sub("%%", "", fmt)):
        raise InstantError(
            f"the date format {quoted(fmt)} writes the zone {zone[0]!r} as text, which is read as "
            "nothing, so the time would be local time: write %Z for a zone's name (UTC or "
            "GMT), or %z for an offset or Z"
        )
    # %p is read beside %I (the 12-hour clock), or beside %H held to it (a form that writes
    # `14:05 PM`: _refuse_meridiem_disagreeing); alone, it would be read as nothing.
    if "p" in codes and not codes & {"I", "H"}:
        raise InstantError(
            f"the date format {quoted(fmt)} has %p (AM or PM) without an hour to go with: %I for "
            "the 12-hour clock (2:05 PM), or %H for a form that writes 14:05 PM"
        )
    # %I without %p writes 14:05 as 02:05, which reads back as the morning's.
    if read.hour != sample.hour and sample.strftime(fmt) != sample.replace(hour=15).strftime(fmt):
        raise InstantError(
            f"the date format {quoted(fmt)} cannot tell the morning from the afternoon (it reads "
            f"14:05 back as {read:%H:%M}): add %p (AM or PM) after %I, or use %H for the "
            "24-hour clock"
        )


# The parts of a date and time that strptime reads by more than one code, and the codes that
# give each; %c, %x and %X give several (as this program's C locale writes them: %c
# `Mon Nov 30 14:05:06 2026`, %x `11/30/26`, %X `14:05:06`).
_PARTS = {"year": "Yy", "month": "mbB", "hour": "HI", "weekday": "aAuw", "zone": "zZ"}
_GIVING = {"c": "abdHMSY", "x": "mdy", "X": "HMS"}


def _refuse_a_part_twice(fmt: str) -> None:
    """[ours] A format giving one part by two codes (`%b` and `%m`, `%y` and `%Y`, `%c` and
    `%m`) is read by strptime keeping one of them: `30 Nov 2026 (12)` by `%d %b %Y (%m)` was
    30 December. The same code twice is refused by strptime itself (see check_date_format)."""
    written = re.findall(r"%(.)", fmt.replace("%%", ""))
    for part, codes in _PARTS.items():
        giving = list(dict.fromkeys(c for c in written if set(codes) & {c, *_GIVING.get(c, "")}))
        if len(giving) > 1:
            raise InstantError(
                f"the date format {quoted(fmt)} gives the {part} by "
                f"{', '.join('%' + c for c in giving[:-1])} and %{giving[-1]}, and strptime "
                "keeps only one of them (a value whose two disagree would be read by either): "
                "give each part once, e.g. %d/%m/%Y %H:%M"
            )


def format_instant(instant: datetime, tz: ZoneInfo) -> str:
    """ISO 8601 in the calendar's zone, with its offset: 2026-12-31T16:00:00+00:00."""
    return instant.astimezone(tz).isoformat(timespec="seconds")


def format_local(instant: datetime, tz: ZoneInfo) -> str:
    """As a person reads it, in tables and sentences alike: `Thu 2026-12-31 16:00 GMT`."""
    return instant.astimezone(tz).strftime("%a %Y-%m-%d %H:%M %Z")


def close_clock(instant: datetime, tz: ZoneInfo) -> str:
    """The time of day a stretch of working time ends at: `24:00` at midnight, the end of the
    day it closes, as the opening hours write it (a deadline: `calendar.format_due`), also
    where the clocks skip that midnight (`day_ended_at`)."""
    if day_ended_at(instant, tz) is not None:
        return "24:00"
    return instant.astimezone(tz).strftime("%H:%M")


def day_ended_at(instant: datetime, tz: ZoneInfo) -> date | None:
    """The day `instant` ends in `tz` where it is the first instant of the next: its midnight,
    or, where the clocks skip midnight (Cairo's spring forward, 00:00 to 01:00), the time they
    skip to; None at any other instant."""
    before = (instant - timedelta(microseconds=1)).astimezone(tz).date()
    return before if before != instant.astimezone(tz).date() else None


def format_apart(first: datetime, second: datetime, tz: ZoneInfo) -> tuple[str, str]:
    """Two different instants as a person reads them (`format_local`), to the second, and to
    its fraction, where the minute alone would show them as one: never `10:00 is before
    10:00`."""
    one, other = format_local(first, tz), format_local(second, tz)
    if one != other or first == second:
        return one, other
    return _to_the_second(first, tz), _to_the_second(second, tz)


def _to_the_second(instant: datetime, tz: ZoneInfo) -> str:
    local = instant.astimezone(tz)
    fraction = f".{local.microsecond:06d}".rstrip("0") if local.microsecond else ""
    return local.strftime(f"%a %Y-%m-%d %H:%M:%S{fraction} %Z")


def whole_minutes(amount: timedelta) -> int:
    """`amount` in minutes, rounded away from zero: the one rounding of every figure shown.

    A breach of 20 seconds is late by 1m, never by 0m, and 5m 30s left is 6m left in text
    and JSON alike; an exact number of minutes is kept as it is."""
    microseconds = abs(amount) // timedelta(microseconds=1)
    minutes = -(-microseconds // 60_000_000)
    return -minutes if amount < timedelta(0) else minutes


def format_duration(
    amount: timedelta, *, days: bool = True, day: timedelta = timedelta(days=1)
) -> str:
    """`2d 3h 5m`, or in hours and minutes only (`51h 5m`) for working time. With `day`, a
    `d` is that long: a working day (`7d 3h` of 8-hour days) for a deadline counted in them."""
    minutes = abs(whole_minutes(amount))
    day_minutes = max(1, whole_minutes(day))
    whole_days, minutes = divmod(minutes, day_minutes) if days else (0, minutes)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if whole_days:
        parts.append(f"{whole_days}d")
    if hours:
        parts.append(f"{hours}h")
    if minutes or not parts:
        parts.append(f"{minutes}m")
    return ("-" if amount < timedelta(0) else "") + " ".join(parts)


# A window longer than this is a typing mistake (and a search without end).
MAX_WORKING_DURATION = timedelta(hours=2100)
_DURATION_PART = re.compile(r"([0-9]+)\s*([dhm])")  # digits 0-9 only, not other scripts' digits


def parse_working_duration(text: str, working_day: timedelta, *, typed: bool = True) -> timedelta:
    """`4h`, `2d`, `1d 4h`, `90m` as working time; a `d` is one full working day. Each unit
    is given at most once where `typed`; a rule stored before that was refused (`1d1d`, an
    action's `--within`) is read as it was counted then, each part added."""
    cleaned = text.strip().lower().replace(" ", "")
    parts = _DURATION_PART.findall(cleaned)
    if not cleaned or "".join(n + u for n, u in parts) != cleaned:
        raise InstantError(
            f"{quoted(text)} is not a duration; write it like 4h, 30m, 2d or 1d4h "
            "(d: a working day)"
        )
    given = [u for _, u in parts]
    twice = next((u for u in given if given.count(u) > 1), None)
    if twice is not None and typed:  # `3h3h`: a slip (pasted twice), never read as their sum
        raise InstantError(
            f"{quoted(text)} gives {twice} more than once; give each of d, h and m at most once, "
            "like 1d4h"
        )
    units = {"d": working_day, "h": timedelta(hours=1), "m": timedelta(minutes=1)}
    if any(len(n) > 6 for n, _ in parts):
        raise InstantError(f"{quoted(text)} is longer than complaintctl counts")
    total = sum((int(n) * units[u] for n, u in parts), timedelta(0))
    if total > MAX_WORKING_DURATION:
        # Named as hours: "a year" of working time holds only on a calendar of 8-hour days.
        limit = int(MAX_WORKING_DURATION.total_seconds()) // 3600
        raise InstantError(
            f"{quoted(text)} is more working time than complaintctl counts (at most {limit}h)"
        )
    return total
