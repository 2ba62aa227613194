"""Thai text helpers: digits both ways, one spelling for search, legacy "nothing reported" marks."""

import pytest

from bma_tracker.text import is_placeholder, normalise_thai, search_key, to_arabic_digits, to_thai_digits

NIKHAHIT, SARA_AA, SARA_AM, MAI_THO = "\u0e4d", "\u0e32", "\u0e33", "\u0e49"
NAM = "น" + MAI_THO + SARA_AM  # น้ำ as the Unicode standard spells it


@pytest.mark.parametrize(
    ("arabic", "thai"),
    [
        ("0123456789", "๐๑๒๓๔๕๖๗๘๙"),
        ("3.2.2.1", "๓.๒.๒.๑"),
        ("24000000-9999", "๒๔๐๐๐๐๐๐-๙๙๙๙"),
        ("ด้านที่ 3", "ด้านที่ ๓"),
        ("ไม่มีตัวเลข", "ไม่มีตัวเลข"),
        ("", ""),
    ],
)
def test_it_converts_digits_both_ways(arabic, thai):
    assert to_thai_digits(arabic) == thai
    assert to_arabic_digits(thai) == arabic


def test_it_converts_a_number_to_thai_digits():
    assert to_thai_digits(2564) == "๒๕๖๔"


def test_it_leaves_arabic_digits_alone_when_converting_to_arabic():
    assert to_arabic_digits("๓.2.๒.1") == "3.2.2.1"


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("ส" + NIKHAHIT + SARA_AA + "นักพัฒนาสังคม", "สำนักพัฒนาสังคม"),  # as in the legacy printouts
        ("ท" + NIKHAHIT + SARA_AA, "ทำ"),
        ("น" + MAI_THO + NIKHAHIT + SARA_AA, NAM),  # tone mark before the decomposed SARA AM
        ("น" + NIKHAHIT + MAI_THO + SARA_AA, NAM),  # tone mark between its two halves
        ("น" + SARA_AM + MAI_THO, NAM),  # tone mark typed after SARA AM
        ("ค" + NIKHAHIT + "\u0e48" + SARA_AA, "ค่ำ"),  # mai ek too
        (NAM, NAM),
        ("มา", "มา"),  # a plain SARA AA is not touched
        ("  โครงการ   ฝึก\tอาชีพ \n", "โครงการ ฝึก อาชีพ"),
        ("โครงการ\u00a0ฝึกอาชีพ", "โครงการ ฝึกอาชีพ"),  # no-break space
        ("โครงการ\u200bฝึก\ufeffอาชีพ", "โครงการฝึกอาชีพ"),  # zero-width space and BOM
        ("๓.๒.๒.๑", "๓.๒.๒.๑"),  # digits are search_key's business, not spelling
        ("", ""),
    ],
)
def test_it_normalises_thai_spelling(typed, canonical):
    assert normalise_thai(typed) == canonical


def test_it_makes_both_spellings_of_sara_am_find_each_other():
    assert search_key("สํานักพัฒนาสังคม") == search_key("สำนักพัฒนาสังคม")


def test_its_search_key_folds_digits_case_and_spaces():
    assert search_key("  สำนักพัฒนาสังคม   ๒๔๐๐๐๐๐๐ BMA ") == "สำนักพัฒนาสังคม 24000000 bma"


def test_its_search_key_of_nothing_is_empty():
    assert search_key(None) == ""
    assert search_key("") == ""


@pytest.mark.parametrize("text", [None, "", "   ", "-", "--", "----", " ---- ", "–", "—", "\n-\n"])
def test_it_recognises_the_legacy_nothing_reported_marks(text):
    assert is_placeholder(text)


@pytest.mark.parametrize("text", ["ไม่มี", "0", "-1", "- ไม่มี", "ดำเนินการแล้ว", "n/a"])
def test_it_keeps_real_answers_including_none(text):
    # "ไม่มี" ("none") under problems is an answer the unit gave, not a missing value.
    assert not is_placeholder(text)
