"""Personal identifiers, highlighted so authors can remove them."""

from __future__ import annotations

import pytest

from moderation.rules import identifiers

VALID_NHS = "943 476 5919"  # the NHS's own example number: its check digit is right


def codes(text: str) -> set[str]:
    return {r.code for r in identifiers.detect(text)}


def test_a_valid_nhs_number_is_found_in_any_spacing() -> None:
    for written in (VALID_NHS, "9434765919", "943-476-5919"):
        text = f"My NHS number is {written} if the ward needs it"
        (reason,) = identifiers.detect(text)
        assert reason.code == "identifier.nhs_number"
        assert text[reason.spans[0].start : reason.spans[0].end] == written


@pytest.mark.parametrize("digits", ["9434765918", "1234567890", "0000000001"])
def test_a_ten_digit_number_with_a_wrong_check_digit_is_not_an_nhs_number(digits: str) -> None:
    assert not identifiers.nhs_number_is_valid(digits) or digits == "9434765919"
    assert "identifier.nhs_number" not in codes(f"Reference {digits} from the pharmacy")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Text me on 07700 900123 after clinic", "identifier.phone"),
        ("Ring the ward on +44 7700 900123", "identifier.phone"),
        ("My landline is 0121 496 0000", "identifier.phone"),
        ("Email me at kai.renal@example.org", "identifier.email"),
        ("I'm near the hospital in CV1 2AB", "identifier.postcode"),
        ("I was born on 14/02/2001 so I'm 25 now", "identifier.date_of_birth"),
        ("DOB: 3rd March 1999", "identifier.date_of_birth"),
        ("My hospital number is RX1234567 if that helps", "identifier.hospital_number"),
        ("MRN 00456789", "identifier.hospital_number"),
    ],
)
def test_other_identifiers(text: str, code: str) -> None:
    assert code in codes(text)


@pytest.mark.parametrize(
    "text",
    [
        "My eGFR went from 14 to 18 after the new diet",
        "I take 10mg ramipril and 2.5mg bisoprolol",
        "Dialysis 3 times a week for 4 hours, 12 hours in all",
        "HbA1c was 48 mmol/mol in March 2024",
    ],
)
def test_ordinary_health_numbers_are_not_identifiers(text: str) -> None:
    assert codes(text) == set()


def test_removal_suggestions_exist_for_every_identifier() -> None:
    for reason in identifiers.detect("NHS 943 476 5919, 07700 900123, a@b.org, CV1 2AB"):
        assert reason.code in identifiers.SUGGESTIONS
