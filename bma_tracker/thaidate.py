"""The Thai calendar: Buddhist-era years, BMA fiscal years and quarters, Thai dates.

Dates are stored as CE `datetime.date`s; these helpers convert only at display and input.
Fiscal year N (BE) runs from 1 October of CE N-544 to 30 September of CE N-543;
quarter 1 is October–December.
"""

import calendar
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bma_tracker.text import to_arabic_digits, to_thai_digits

BE_OFFSET = 543
BANGKOK = ZoneInfo("Asia/Bangkok")


def today():
    """Today in Bangkok, whatever the server's clock zone: the BMA's day decides the month a
    report belongs to and the current fiscal year."""
    return datetime.now(BANGKOK).date()


MONTHS_FULL = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip
MONTHS_ABBR = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip


class ThaiDateError(ValueError):
    """Input that is not a date in d/m/BE-year form; the message is for the user (Thai)."""


def be_year(ce_year):
    return ce_year + BE_OFFSET


def ce_year(be_year):
    return be_year - BE_OFFSET


def fiscal_year(day):
    """The fiscal year (BE) a date falls in."""
    return be_year(day.year + 1 if day.month >= 10 else day.year)


def fiscal_year_range(fy):
    """(first day, last day) of fiscal year fy (BE)."""
    return date(ce_year(fy) - 1, 10, 1), date(ce_year(fy), 9, 30)


def a_year_later(day):
    """The same day one year on; 29 February becomes 28 February (the next year is never a leap
    year). Leap years are those of the Christian era: BE 2563 (CE 2020) is one, although 2563
    is not divisible by 4, and BE 2564 (CE 2021) is not."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def fiscal_month_index(month):
    """The place (0–11) of a calendar month (1–12) in its fiscal year: October is 0, September 11."""
    return (month - 10) % 12


def fiscal_quarter(day):
    """The quarter (1–4) of its fiscal year a date falls in: Q1 = Oct–Dec."""
    return (day.month - 10) % 12 // 3 + 1


def quarter_range(fy, quarter):
    """(first day, last day) of a quarter of fiscal year fy (BE)."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"quarter must be 1–4, not {quarter!r}")
    first_month = (quarter - 1) * 3 + 10
    year = ce_year(fy) - 1 + (first_month - 1) // 12
    month = (first_month - 1) % 12 + 1
    start = date(year, month, 1)
    end_month_first = date(year + (month + 2) // 12, (month + 2) % 12 + 1, 1)
    return start, end_month_first - timedelta(days=1)


def month_name(month, *, abbr=False):
    """1 -> 'มกราคม' (abbr: 'ม.ค.')."""
    # Checked, because month 0 would otherwise index from the end and quietly give ธันวาคม.
    if month not in range(1, 13):
        raise ValueError(f"month must be 1–12, not {month!r}")
    return (MONTHS_ABBR if abbr else MONTHS_FULL)[month - 1]


def format_month_short(day):
    """date(2020, 10, 1) -> 'ต.ค. 63' (chart ticks, table headings)."""
    return f"{month_name(day.month, abbr=True)} {be_year(day.year) % 100:02d}"


def format_short(day, *, thai_digits=False):
    """30/08/2564"""
    text = f"{day.day:02d}/{day.month:02d}/{be_year(day.year)}"
    return to_thai_digits(text) if thai_digits else text


def format_medium(day, *, thai_digits=False):
    """30 ส.ค. 2564"""
    text = f"{day.day} {MONTHS_ABBR[day.month - 1]} {be_year(day.year)}"
    return to_thai_digits(text) if thai_digits else text


def format_long(day, *, thai_digits=False):
    """30 สิงหาคม 2564"""
    text = f"{day.day} {MONTHS_FULL[day.month - 1]} {be_year(day.year)}"
    return to_thai_digits(text) if thai_digits else text


# [0-9], not \d: \d also matches other scripts' digits, which int() would then quietly accept.
_DMY = re.compile(r"^\s*([0-9]{1,2})\s*/\s*([0-9]{1,2})\s*/\s*([0-9]+)\s*$")
# Years a Thai user could mean: BE 2400–2700 (CE 1857–2157).
_BE_MIN, _BE_MAX = 2400, 2700


def parse_thai_date(text):
    """'30/08/2564' or '30/8/2564' (Thai or Arabic digits) -> date(2021, 8, 30).

    Raises ThaiDateError with a Thai message for anything else, with a hint when the year
    looks like a CE year typed where a BE year belongs."""
    match = _DMY.match(to_arabic_digits(text or ""))
    if not match:
        raise ThaiDateError("กรุณากรอกวันที่ในรูปแบบ วว/ดด/ปปปป (พ.ศ.) เช่น 30/08/2564")
    if len(match[3]) != 4:
        raise ThaiDateError("กรุณากรอกปี พ.ศ. เป็นตัวเลข 4 หลัก (เช่น 30/08/2564)")
    day, month, year = (int(part) for part in match.groups())
    if 1900 <= year < _BE_MIN:
        raise ThaiDateError(f"ปี {year} ดูเหมือนเป็นปี ค.ศ. กรุณากรอกปี พ.ศ. (เช่น {year + BE_OFFSET})")
    if not _BE_MIN <= year <= _BE_MAX:
        raise ThaiDateError(f"ปี พ.ศ. {year} ไม่อยู่ในช่วงที่ใช้ได้ ({_BE_MIN}–{_BE_MAX})")
    if not 1 <= month <= 12:
        raise ThaiDateError(f"ไม่มีเดือนที่ {month} กรุณากรอกเดือน 1–12")
    days_in_month = calendar.monthrange(ce_year(year), month)[1]
    if not 1 <= day <= days_in_month:
        raise ThaiDateError(
            f"ไม่มีวันที่ {day} {MONTHS_FULL[month - 1]} {year} (เดือน{MONTHS_FULL[month - 1]} {year} มี {days_in_month} วัน)"
        )
    return date(ce_year(year), month, day)
