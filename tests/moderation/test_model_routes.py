"""The default engine (rules + embedding model) on fresh posts written for these tests, not taken
from the training data: crisis in many forms goes urgent, dark humour and idioms are published,
hostility, dangerous advice and spam are held."""

from __future__ import annotations

import pytest

import moderation
from moderation import Route

CRISIS = {
    "indirect": "honestly think everyone would cope fine if I just wasn't around anymore",
    "indirect, no keywords": "I'm so tired of fighting this. I just want it all to stop for good.",
    "plan": "I've decided. Friday night when my flatmate is away, that's when I'm doing it.",
    "means": "been stockpiling my tramadol for a few weeks now. think I've finally got enough",
    "means, question": "how many of my insulin pens would it take to not wake up",
    "goodbye": "Just want to say thank you all for everything. This is my last post. Goodbye x",
    "giving things away": "gave my cat to my sister today and sorted my will. ready now I think",
    "stopping treatment to die": "not going back to dialysis. done. I'll let my kidneys take me",
    "stopping insulin to die": "stopped my insulin on purpose. I want this to be over",
    "self-harm relapse": "6 months clean and I cut again last night. couldn't stop myself",
    "slang": "ngl been thinking about unaliving myself a lot lately",
    "UK slang": "genuinely could top myself tonight, nobody would even notice",
    "typos": "i dont wnat to be alive anymre. evry day is worse",
    "emoji": "can't do this anymore 💀🪦 see you all on the other side",
    "Welsh": "Dw i wedi cael digon. Dw i eisiau marw.",
}
PUBLISHED = {
    "dark joke": "potassium suicide on a Friday night 😂 one banana, living on the edge",
    "idiom": "this heatwave is killing me, fluid restriction in July is a crime",
    "idiom 2": "I could murder a bacon sandwich after three hours on the machine",
    "hospital talk": "they stabbed me four times for a cannula today, arms like a pin cushion",
    "violent-sounding medicine": "Fistula needling still makes me wince but it's quicker now",
    "awareness": "Reminder that the Samaritans are there 24/7 if anyone's struggling tonight x",
    "recovered": "A year ago I was in a really dark place. Today I ran 5k. Keep going everyone",
    "supportive": "Sending you a massive hug, first week on dialysis is the hardest, it gets easier",
    "question": "Does anyone know if I can claim PIP while I'm waiting for the transplant?",
    "venting": "so done with this stupid disease and the endless blood tests, rant over",
}
HELD = {
    "hostile": "@jules nobody asked for your life story again, some of us are actually ill",
    "identity": "people from that part of the world just don't look after themselves, simple",
    "threat": "keep talking about me like that Dan and see what happens when I find your ward",
    "medical": "you lot don't need statins, they're a scam. bin them and eat more butter",
    "spam": "I reversed my kidney disease in 30 days with this programme! DM me for the link 💰",
}


@pytest.mark.parametrize("kind", CRISIS)
def test_crisis_in_many_forms_goes_to_the_urgent_queue(kind: str) -> None:
    assessment = moderation.assess(CRISIS[kind])
    assert assessment.route is Route.URGENT, (kind, [r.code for r in assessment.reasons])
    assert assessment.priority >= 90


@pytest.mark.parametrize("kind", PUBLISHED)
def test_dark_jokes_idioms_and_ordinary_posts_are_published(kind: str) -> None:
    assessment = moderation.assess(PUBLISHED[kind])
    assert assessment.route is Route.PUBLISH, (kind, [r.code for r in assessment.reasons])


@pytest.mark.parametrize("kind", HELD)
def test_hostility_dangerous_advice_and_spam_are_held(kind: str) -> None:
    assessment = moderation.assess(HELD[kind])
    assert assessment.route is Route.HOLD, (kind, [r.code for r in assessment.reasons])
    if kind == "medical":
        assert assessment.needs_clinical_review


def test_the_model_says_why_and_highlights_the_closest_sentence() -> None:
    text = (
        "Clinic was fine today, the nurses were lovely and my bloods are stable. "
        "Parking was a nightmare as usual. "
        "I just don't see the point of any of it anymore and I've started giving my things away. "
        "Anyway, how is everyone's week going?"
    )
    assessment = moderation.assess(text)
    assert assessment.route is Route.URGENT
    model = next(r for r in assessment.reasons if r.code == "crisis.model")
    assert "ending one's life" in model.message
    (span,) = model.spans
    assert "giving my things away" in text[span.start : span.end]
    assert "Parking" not in text[span.start : span.end]
