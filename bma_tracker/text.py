"""Thai text helpers: digits, spelling normalisation for search, legacy placeholders, numbers."""

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
_TO_ARABIC = str.maketrans(THAI_DIGITS, "0123456789")
_TO_THAI = str.maketrans("0123456789", THAI_DIGITS)

# SARA AM (ำ) is often typed as NIKHAHIT + SARA AA (ํ + า), sometimes with a tone mark between
# or before them; both spellings must find each other.
_DECOMPOSED_AM = re.compile("\u0e4d([\u0e48-\u0e4b]?)\u0e32")
_TONE_BEFORE_DECOMPOSED_AM = re.compile("([\u0e48-\u0e4b])\u0e4d\u0e32")
# A tone mark typed after SARA AM (น + ำ + ้) looks the same on screen as the canonical น + ้ + ำ.
_TONE_AFTER_AM = re.compile("\u0e33([\u0e48-\u0e4b])")
# Zero-width characters that Thai word-breaking tools and copy-paste leave inside words.
_ZERO_WIDTH = str.maketrans("", "", "\u200b\u200c\u200d\u2060\ufeff")
_SPACES = re.compile(r"\s+")

# What legacy units typed to mean "nothing to report": runs of dashes. "ไม่มี" ("none") is not
# one of them: under problems and obstacles it is a real answer.
_PLACEHOLDER = re.compile("[-\u2013\u2014]+")
PLACEHOLDERS = frozenset({"-", "--", "---", "----", "-----"})  # the common ones; test with is_placeholder()


def to_arabic_digits(text):
    """'๓.๒.๑' -> '3.2.1'."""
    return str(text).translate(_TO_ARABIC)


def to_thai_digits(text):
    """'3.2.1' -> '๓.๒.๑'."""
    return str(text).translate(_TO_THAI)


def normalise_thai(text):
    """Canonical spelling for comparison: NFC, composed SARA AM with the tone mark before it, no
    zero-width characters, single spaces. Never stored over what a user entered; used for
    search keys and matching only."""
    text = unicodedata.normalize("NFC", text).translate(_ZERO_WIDTH)
    text = _TONE_BEFORE_DECOMPOSED_AM.sub("\\1\u0e33", text)
    text = _DECOMPOSED_AM.sub("\\1\u0e33", text)
    text = _TONE_AFTER_AM.sub("\\1\u0e33", text)
    return _SPACES.sub(" ", text).strip()


def search_key(text):
    """The form of a text that search compares: normalised Thai, Arabic digits, case-folded."""
    return to_arabic_digits(normalise_thai(text or "")).casefold()


def is_placeholder(text):
    """True for empty text and the legacy "nothing reported" marks ('-', '----')."""
    stripped = (text or "").strip()
    return not stripped or _PLACEHOLDER.fullmatch(stripped) is not None


def two_places(value):
    """A number as the template filter floatformat:2 shows it ('45.50'; never '-0.00'), at a
    tenth of its cost: pages format numbers for every row they list."""
    rounded = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{rounded if rounded else abs(rounded):.2f}"
