"""Personal identifiers a member should not post: NHS numbers, phones, emails, postcodes, DOBs."""

from __future__ import annotations

import re

from moderation.types import N_, Reason, Span

NHS_NUMBER = re.compile(r"(?<![\d-])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d-])")
UK_PHONE = re.compile(
    r"(?<![\d+])(?:"
    r"(?:\+44\s?\(?0?\)?\s?|0)7\d{3}[\s-]?\d{3}[\s-]?\d{3}"  # mobile
    r"|(?:\+44\s?\(?0?\)?\s?|0)(?:1\d{2,4}|2\d|3\d{2}|8\d{2})\)?[\s-]?\d{3,4}[\s-]?\d{3,4}"  # landline
    r")(?!\d)"
)
# Bounded repeats (RFC 5321 lengths) keep every pattern linear in the text's length.
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}\b")
POSTCODE = re.compile(
    r"\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b", re.IGNORECASE
)
_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*"
DATE_OF_BIRTH = re.compile(
    r"\b(?:born(?: on)?|d\.?o\.?b\.?|date of birth|birthday is)\s{0,3}(?:is\s{0,3})?[:\-]?\s{0,3}"
    rf"(?P<date>\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}\s+\d{{4}}|{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})",
    re.IGNORECASE,
)
HOSPITAL_NUMBER = re.compile(
    r"\b(?:hospital (?:number|no\.?|num)|hosp\.? no\.?|mrn|patient (?:number|id|no\.?)|unit number)"
    r"\s{0,3}(?:is\s{0,3})?[:#-]?\s{0,3}(?P<id>[A-Z]{0,3}\d{5,10}[A-Z]?)\b",
    re.IGNORECASE,
)


def nhs_number_is_valid(digits: str) -> bool:
    """The NHS number's modulus-11 check digit."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * weight for d, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)


def detect(text: str) -> list[Reason]:
    reasons: list[Reason] = []
    taken: list[tuple[int, int]] = []

    def add(code: str, message: str, spans: list[tuple[int, int]]) -> None:
        fresh = [s for s in spans if not _overlaps(s, taken)]
        if fresh:
            taken.extend(fresh)
            reasons.append(Reason(code, message, tuple(Span(a, b, code) for a, b in fresh)))

    add(
        "identifier.nhs_number",
        N_("Contains what looks like an NHS number."),
        [
            (m.start(), m.end())
            for m in NHS_NUMBER.finditer(text)
            if nhs_number_is_valid("".join(m.groups()))
        ],
    )
    add(
        "identifier.hospital_number",
        N_("Contains what looks like a hospital or patient number."),
        [(m.start("id"), m.end("id")) for m in HOSPITAL_NUMBER.finditer(text)],
    )
    add(
        "identifier.date_of_birth",
        N_("Contains what looks like a date of birth."),
        [(m.start("date"), m.end("date")) for m in DATE_OF_BIRTH.finditer(text)],
    )
    add(
        "identifier.phone",
        N_("Contains what looks like a phone number."),
        [(m.start(), m.end()) for m in UK_PHONE.finditer(text)],
    )
    add(
        "identifier.email",
        N_("Contains an email address."),
        [(m.start(), m.end()) for m in EMAIL.finditer(text)],
    )
    add(
        "identifier.postcode",
        N_("Contains what looks like a postcode."),
        [
            (m.start(), m.end())
            for m in POSTCODE.finditer(text)
            if any(c.isdigit() for c in m.group(0))
        ],
    )
    return reasons


SUGGESTIONS = {
    "identifier.nhs_number": N_("Remove your NHS number: other members never need it."),
    "identifier.hospital_number": N_("Remove your hospital number before posting."),
    "identifier.date_of_birth": N_("Remove your date of birth before posting."),
    "identifier.phone": N_("Remove the phone number: it could identify you."),
    "identifier.email": N_("Remove the email address: it could identify you."),
    "identifier.postcode": N_("Remove the postcode: it could identify where you live."),
}
