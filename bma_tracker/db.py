"""Database helpers that differ by backend."""

from django.db import connection
from django.db.models import F
from django.db.models.functions import Collate

# PostgreSQL's ICU collation for Thai dictionary order (leading vowels เ แ โ ใ ไ sort by the
# consonant that follows). SQLite has no ICU: it sorts by code point, which is close.
THAI_COLLATION = "th-x-icu"


def thai_order(field):
    """An expression that sorts a text field in Thai order: `qs.order_by(thai_order("name"))`."""
    if connection.vendor == "postgresql":
        return Collate(F(field), THAI_COLLATION)
    return F(field)
