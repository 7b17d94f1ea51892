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
# Round 2: written for these tests before the engine was tuned on round-2 posts.
CRISIS_ROUND_2 = {
    "passive wish, hypo": "tbh if i had a bad hypo in my sleep tonight id be grateful. not even joking",
    "goodbye without the word": "nobody here will see me after next week. thanks for the chats x",
    "passive wish, kidney": "the unit can give my slot to someone who wants it. i'm finished after this week",
    "plan with a day": "I've picked Thursday. My son's away at uni and nobody will come round till the weekend.",
    "means put by": "I've got two months of co-codamol put by in the bathroom cabinet. I know it's enough.",
    "means, insulin, typos": "got like 6 pens of lantus spare. thinkin of usin the lot tnite",
    "goodbye": "Thank you everyone for putting up with me. I won't be on here again after tonight. Love to you all x",
    "goodbye, slang": "gonna log off for good now. ily all fr 🫶",
    "stopping dialysis": "Rang the unit and said I'm not coming Monday or any day after. I'm ready for the end now.",
    "stopping anti-rejection": "chucked my tacrolimus in the bin. if the kidney goes, i go. fine by me",
    "stopping insulin": "haven't injected since Sunday on purpose. hoping I just don't wake up one morning",
    "self-harm relapse": "4 months clean and i burnt myself again last night. feel sick",
    "self-harm, hidden": "been cutting my thighs where nobody can see. it's every night now",
    "slang": "lowkey want to unalive myself after that clinic appt",
    "slang, kms": "kms fr this flare is the last straw",
    "UK slang": "honestly might just top meself this weekend, I'm that done",
    "typos": "i wnat to die so bad rn. evry thing hurts n no one cares",
    "emoji": "done with all of it 🪦 won't be here much longer",
    "burden": "my kids would honestly cope better without me dragging them down",
    "hopeless with intent": "there is no fixing this body. I've decided how I'm going to end it.",
    "reply": "@sal thanks but I meant it. I'm ending it tonight, please don't tell the mods",
    "bridge": "keep driving to the bridge after dialysis and sitting there. tonight I might not drive back",
    "collecting": "I've been collecting my sleeping pills for weeks. Just in case. Well, not just in case.",
    "giving things away": "gave my guitar and my cat to my best mate today. told him it's because I'm moving. I'm not",
    "direct": "Two years of this and I've had enough. I want to die. I genuinely do.",
    "wrote letters": "wrote letters to my boys this morning. put them in the drawer with the will",
    "self-harm urges": "self harm urges are back and i gave in tonight. didn't even feel it",
    "train times": "idk how much longer i can keep pretending. i've looked at the train times more than once",
    "pens": "honestly the plan is to go to sleep with all my pens in me. nobody checks on me till tuesday anyway",
    "stopping heart meds": "my heart meds are going down the toilet tonight. let it do its worst",
    "means, tonight": "fuck it. got the paracetamol. all of it. tonight",
    "donor kidney": "im a waste of a donor kidney. gonna give it back the only way i can",
}
# Round 2's two known misses, now urgent (round 3: "if I was out of the way / out of the
# picture" is a burden rule; "sorted it for saturday" and "no more X no more Y" are wording that
# counts with the model's crisis score). Written after reading these posts, so they flatter the
# rules: see moderation/MODEL_CARD.md.
CRISIS_FORMER_MISSES = {
    "out of the picture": "I keep thinking my husband could start again with someone healthy if I was "
    "out of the picture. I've started making that happen.",
    "sorted for a day": "no more clinic no more pokes no more anything. sorted it for saturday",
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
    "dark joke, kidneys": "my kidneys have officially resigned, handing in their notice like 'we're done mate' 😂",
    "dark joke, heart": "cardiologist said my heart's a bit dramatic. same babe, same 💀",
    "dark joke, jelly babies": "I nearly killed my husband when he ate my emergency jelly babies 😂",
    "idiom, flare": "this flare is actually killing me, why do knees even exist",
    "idiom, dying for": "I'm dying for a proper cup of tea after six hours on the machine",
    "idiom, good health": "can't believe the consultant said I'm dying of good health, cheeky sod",
    "hospital talk 2": "had my line pulled out today and the nurse stabbed me twice finding a vein, arm's a mess",
    "surgery words": "The surgeon's going to cut out the damaged bit of bowel and staple the ends together",
    "strapped in": "dialysis day again, strapped in for four hours of daytime tv torture 😩",
    "venting 2": "absolutely sick to death of insulin and carb counting, rant over, back to it tomorrow",
    "stopping, as advised": "My consultant says I can stop the prednisolone next month. How did people find tapering off?",
    "done with steroids": "Done with the steroids at last! Moon face, I will not miss you",
    "support to someone low": "You're not a burden, you're a person who's ill. Please ring your GP tomorrow, we're here x",
    "recovered from self-harm": "A year clean from self-harm today. Didn't think I'd ever say that. Thank you all",
    "end-of-life planning": "Had the chat about switching my ICD off at the very end. Feels odd but I'm glad it's written down",
    "grief walk": "I lost my dad to heart failure last year. Doing the British Heart Foundation walk for him on Sunday",
    "nothing more they can do": "the pain clinic said there's nothing more they can do so I'm trying pacing and a TENS machine",
}
# Ordinary thanks, kind replies and questions: written for these tests (round 3), none in the
# training data. "Thanks everyone for the tips." went urgent with round 2's heads (the embedding
# puts short thanks near goodbyes).
ORDINARY = {
    "thanks for tips": "Thanks everyone for the tips.",
    "thanks for advice": "thank you so much for all the advice, feeling a lot more prepared now",
    "thanks, short": "Cheers all, that's really helpful x",
    "thanks, update": "Thanks for the replies everyone. Saw the GP and she's changed my tablets.",
    "thanks for welcome": "Thank you for the lovely welcome, everyone.",
    "kind reply": "So sorry you're having a rough week. Sending a big hug and hoping tomorrow's kinder.",
    "reply with a tip": "I found the night shift easier on dialysis, worth asking your unit if they have a slot",
    "congratulations": "Brilliant news about your transplant, so pleased for you!",
    "question, meds": "Does anyone take their levothyroxine at night? Is it ok to switch?",
    "question, fluid": "How do you manage your fluid allowance when it's really hot?",
    "question, sick day": "What should I do with my insulin if I've got a stomach bug and can't eat?",
    "question, travel": "Has anyone taken their pump through airport security? Any tips?",
    "keep your treatment": "Please don't stop your insulin, ring your DSN, they can help with the hypos.",
}
CONCERN_FOR_ANOTHER = {
    "a friend": "My mate from the unit keeps saying he wants to end it all. I don't know what to do, should I ring someone?",
    "a daughter": "my daughter's been self-harming since her diagnosis and I found out last night. how do I help her?",
    "a partner": "My wife's been saying she'd be better off dead since the amputation. I'm scared to leave her alone.",
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


@pytest.mark.parametrize("kind", CRISIS_ROUND_2)
def test_fresh_round_2_crisis_posts_go_to_the_urgent_queue(kind: str) -> None:
    assessment = moderation.assess(CRISIS_ROUND_2[kind])
    assert assessment.route is Route.URGENT, (kind, [r.code for r in assessment.reasons])


@pytest.mark.parametrize("kind", CRISIS_FORMER_MISSES)
def test_former_known_misses_go_to_the_urgent_queue(kind: str) -> None:
    assessment = moderation.assess(CRISIS_FORMER_MISSES[kind])
    assert assessment.route is Route.URGENT, (kind, [r.code for r in assessment.reasons])


@pytest.mark.parametrize("kind", CONCERN_FOR_ANOTHER)
def test_worry_about_someone_else_is_published_with_a_high_priority_flag(kind: str) -> None:
    """Decision: the member is not in crisis and needs answers now, so the post is published;
    a moderator is asked to look soon (priority 80, above every other flag) to check on them."""
    assessment = moderation.assess(CONCERN_FOR_ANOTHER[kind])
    assert assessment.route is Route.PUBLISH, (kind, [r.code for r in assessment.reasons])
    assert assessment.review_flag
    assert assessment.reasons[0].code == "concern.other_person"
    assert assessment.priority == 80


def test_worry_about_someone_else_does_not_hide_the_authors_own_crisis() -> None:
    text = "My friend keeps talking about suicide and honestly I want to die too. I've got the tablets."
    assert moderation.assess(text).route is Route.URGENT


@pytest.mark.parametrize("kind", PUBLISHED)
def test_dark_jokes_idioms_and_ordinary_posts_are_published(kind: str) -> None:
    assessment = moderation.assess(PUBLISHED[kind])
    assert assessment.route is Route.PUBLISH, (kind, [r.code for r in assessment.reasons])


@pytest.mark.parametrize("kind", ORDINARY)
def test_thanks_kind_replies_and_questions_are_published(kind: str) -> None:
    assessment = moderation.assess(ORDINARY[kind])
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


@pytest.mark.parametrize(
    "text", ["Thinking of you.", "thinking of you all x", "Thinking of you today."]
)
def test_a_reply_of_only_kind_words_is_published_with_a_prompt_flag(text: str) -> None:
    """The embedding puts "Thinking of you." near goodbyes: published, a moderator glances soon."""
    assessment = moderation.assess(text)
    assert assessment.route is Route.PUBLISH, [r.code for r in assessment.reasons]
    assert assessment.priority == 80 or not assessment.reasons


def test_kind_words_with_a_goodbye_still_go_urgent() -> None:
    assert moderation.assess("Thinking of you all. Goodbye.").route is Route.URGENT
