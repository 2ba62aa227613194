"""Template filters for Thai display: {{ report.report_date|thai_date }} -> 30/08/2564.

Like Django's own `date` filter they render "" for a value they cannot show, rather than
breaking the whole page."""

from datetime import date, datetime
from decimal import Decimal

from django import template
from django.utils import timezone

from bma_tracker import thaidate
from bma_tracker.text import to_thai_digits

register = template.Library()


def _local_date(value):
    """The calendar day a date or datetime falls on in Bangkok, or None for anything else."""
    if isinstance(value, datetime):
        # An aware datetime is stored in UTC: 23:30 UTC is already the next day in Bangkok.
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        return value
    return None


@register.filter
def thai_date(value):
    """date -> '30/08/2564'"""
    day = _local_date(value)
    return thaidate.format_short(day) if day else ""


@register.filter
def thai_date_medium(value):
    """date -> '30 ส.ค. 2564'"""
    day = _local_date(value)
    return thaidate.format_medium(day) if day else ""


@register.filter
def thai_date_long(value):
    """date -> '30 สิงหาคม 2564'"""
    day = _local_date(value)
    return thaidate.format_long(day) if day else ""


@register.filter
def be_year(value):
    """CE year (int) or date -> BE year."""
    day = _local_date(value)
    if day:
        return thaidate.be_year(day.year)
    try:
        return thaidate.be_year(int(value))
    except (TypeError, ValueError):
        return ""


@register.filter
def thai_digits(value):
    """'3.2.1' -> '๓.๒.๑'"""
    return to_thai_digits(value) if value not in (None, "") else ""


@register.filter
def baht(value):
    """An amount with thousands commas and 2 places: 1250000.5 -> 1,250,000.50; "" for none."""
    if value is None or value == "":
        return ""
    try:
        return f"{Decimal(value):,.2f}"
    except (ArithmeticError, TypeError, ValueError):
        return ""
