"""URL path converters that take only what a real URL holds, so that crafted paths (a NUL
byte, a 5,000-character code, a number beyond the database's integers) are a 404 before any
view or query sees them. Registered in bma_tracker.urls; every pattern uses these, not Django's
str and int (tests/test_hostile_input.py walks them all)."""

from django.urls import register_converter


class CodeConverter:
    """A project, indicator or unit code: letters (Thai too), digits, '.', '_' and '-', at most
    40 characters. No '/', no control characters, no spaces."""

    regex = r"[\w.-]{1,40}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return str(value)


class IdConverter:
    """A row id, a quarter or another small number: at most 9 digits, inside PostgreSQL's integer."""

    regex = r"[0-9]{1,9}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


class YearConverter(IdConverter):
    """A Buddhist-era fiscal year: four digits."""

    regex = r"[0-9]{4}"


def register():
    register_converter(CodeConverter, "code")
    register_converter(IdConverter, "id")
    register_converter(YearConverter, "year")
