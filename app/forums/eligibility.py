"""Who a forum is for: an age band and statements a member confirms at joining.

Harbour keeps the least the rule needs: a birth year, if given, is used once to place the member
in or out of the band and then forgotten; what stays is the band itself ("18-30"), and only on
their membership, never shown to other members. Confirmed statements are not stored at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.forums.models import Forum
from app.i18n import _


class StatedBand(StrEnum):
    BELOW = "below"
    IN = "in"
    ABOVE = "above"


def has_rule(forum: Forum) -> bool:
    return (
        forum.age_min is not None or forum.age_max is not None or bool(forum.eligibility_questions)
    )


def has_age_band(forum: Forum) -> bool:
    return forum.age_min is not None or forum.age_max is not None


def band_key(forum: Forum) -> str:
    """The band as stored on a membership: "18-30", "18-", "-30"."""
    low = "" if forum.age_min is None else str(forum.age_min)
    high = "" if forum.age_max is None else str(forum.age_max)
    return f"{low}-{high}"


def band_words(forum: Forum) -> str:
    if forum.age_min is not None and forum.age_max is not None:
        return _("aged {low} to {high}").format(low=forum.age_min, high=forum.age_max)
    if forum.age_min is not None:
        return _("aged {low} or over").format(low=forum.age_min)
    return _("aged {high} or under").format(high=forum.age_max)


def band_choices(forum: Forum) -> list[tuple[str, str]]:
    """The age bands a member chooses from: under the band, in it, over it."""
    choices = []
    if forum.age_min is not None:
        choices.append((StatedBand.BELOW.value, _("Under {low}").format(low=forum.age_min)))
    choices.append((StatedBand.IN.value, band_words(forum).capitalize()))
    if forum.age_max is not None:
        choices.append((StatedBand.ABOVE.value, _("Over {high}").format(high=forum.age_max)))
    return choices


@dataclass(frozen=True)
class Answer:
    eligible: bool
    underage: bool = False
    # What to keep on the membership (None: nothing to keep).
    band: str | None = None
    # Something is missing: ask again.
    problem: str | None = None


def assess(
    forum: Forum, stated: str, birth_year: int | None, confirmed: set[int], this_year: int
) -> Answer:
    """Whether the member is eligible, from the band they chose or the year they were born, and
    the statements they confirmed (by index)."""
    underage = False
    if has_age_band(forum):
        if birth_year is not None:
            # Born that year: this year's birthday may be still to come, so the youngest they can
            # be decides the lower bound (someone who might be under it is not let in).
            youngest = this_year - birth_year - 1
            below = forum.age_min is not None and youngest < forum.age_min
            above = forum.age_max is not None and youngest > forum.age_max
        elif stated in StatedBand.__members__.values():
            below, above = stated == StatedBand.BELOW, stated == StatedBand.ABOVE
        else:
            return Answer(
                eligible=False,
                problem=_("Choose your age band, or type the year you were born."),
            )
        underage = below and (forum.age_min or 0) <= 18
        if below or above:
            return Answer(eligible=False, underage=underage)
    if any(i not in confirmed for i in range(len(forum.eligibility_questions))):
        return Answer(eligible=False)
    return Answer(eligible=True, band=band_key(forum) if has_age_band(forum) else None)


def default_message(underage: bool) -> str:
    """Shown to someone outside the forum's rule when the admin has written nothing."""
    if underage:
        return _(
            "Harbour's forums are for adults, so we can't welcome you here yet. You don't have to "
            "manage on your own: Childline is free and confidential for anyone under 19, on "
            "0800 1111 or at childline.org.uk, and The Mix supports under-25s at themix.org.uk."
        )
    return _(
        "This forum isn't the right place for you, but you're welcome in Harbour's other forums. "
        "Your care team, your GP or NHS 111 can also tell you about support near you."
    )
