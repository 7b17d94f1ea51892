"""Crisis language in Welsh reaches the urgent queue: the English model does not read Welsh."""

from __future__ import annotations

import pytest

import moderation
from moderation.rules import welsh

FIRES = [
    "Dw i eisiau marw. Dw i wedi blino ar y dialysis.",
    "dwi isio marw heno",
    "Dw i'n meddwl am ladd fy hun bob dydd.",
    "Dw i wedi bod yn cael meddyliau hunanladdol ers i'r trawsblaniad fethu.",
    "Does dim pwynt byw fel hyn.",
    "Dw i ddim eisiau byw rhagor.",
    "Alla i ddim mynd ymlaen fel hyn.",
    "Byddai pawb yn well eu byd hebdda i.",
    "Dw i'n faich ar bawb.",
    "Dw i wedi dechrau hunan-niweidio eto.",
    "Dw i'n mynd i gymryd fy holl dabledi heno.",
    "Dw i'n mynd i stopio fy inswlin er mwyn marw.",
    "Ffarwel i bawb. Diolch am bopeth.",
    "Dw i eisiau rhoi diwedd ar fy mywyd.",
]
DOES_NOT_FIRE = [
    "Dw i ddim eisiau marw, dw i jyst wedi blino.",
    "Bydda i byth yn lladd fy hun, ond dw i'n teimlo'n isel.",
    "Mae'r dialysis yn fy lladd i heddiw!",
    "Mae'r gwres 'ma'n fy lladd i.",
    "Diolch am y croeso, mae'n braf bod yma.",
    "Mae'r bag stoma yn faich weithiau ond dw i'n dod i arfer.",
]


@pytest.mark.parametrize("text", FIRES)
def test_welsh_crisis_language_is_found_with_its_span(text: str) -> None:
    (found,) = welsh.detect(text)
    assert found.code == "crisis.welsh"
    span = found.spans[0]
    assert 0 <= span.start < span.end <= len(text)


@pytest.mark.parametrize("text", DOES_NOT_FIRE)
def test_welsh_idioms_and_negations_do_not_fire(text: str) -> None:
    assert welsh.detect(text) == []


def test_a_welsh_crisis_post_goes_to_the_urgent_queue() -> None:
    assessment = moderation.assess("Sori am bostio hyn. Dw i'n meddwl am ladd fy hun heno.")
    assert assessment.route is moderation.Route.URGENT
    assert "crisis.welsh" in {r.code for r in assessment.reasons}
    assert assessment.priority >= 90
