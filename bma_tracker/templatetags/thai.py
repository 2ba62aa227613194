"""Template filters for Thai display: {{ report.report_date|thai_date }} -> 30/08/2564."""

from django import template

from bma_tracker import thaidate
from bma_tracker.text import to_thai_digits

register = template.Library()


@register.filter
def thai_date(value):
    """date -> '30/08/2564'"""
    return thaidate.format_short(value) if value else ""


@register.filter
def thai_date_medium(value):
    """date -> '30 ส.ค. 2564'"""
    return thaidate.format_medium(value) if value else ""


@register.filter
def thai_date_long(value):
    """date -> '30 สิงหาคม 2564'"""
    return thaidate.format_long(value) if value else ""


@register.filter
def be_year(value):
    """CE year (int) or date -> BE year."""
    if value in (None, ""):
        return ""
    return thaidate.be_year(value.year if hasattr(value, "year") else int(value))


@register.filter
def thai_digits(value):
    return to_thai_digits(value) if value not in (None, "") else ""
