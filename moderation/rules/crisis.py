"""Crisis language: suicidal ideation, self-harm, stopping treatment to die.

First person only, with negation handling ("I'm not going to hurt myself" does not fire), and
idioms left alone ("the pain is killing me", "I'm dying to know"). A false alarm costs a
moderator a minute; a miss can cost a life, so the patterns lean towards firing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from moderation.rules import reason
from moderation.types import N_, Reason, Span

SUICIDAL = re.compile(
    r"\b(?:"
    r"kill(?:ing)? myself|end(?:ing)? my (?:own )?life|take my (?:own )?life|end it all"
    r"|(?:want|wanna|going|plan(?:ning)?|ready) to (?:die|end it)"
    r"|(?:wish|hope) i (?:was|were|could be) dead|(?:wish|hope) i (?:don't|dont|didn't|didnt|never) wake up"
    r"|(?:don't|dont|do not) want to (?:be here|live|exist|wake up|go on|be alive)(?: any ?more)?"
    r"|(?:can't|cant|cannot) (?:go on|do this any ?more|carry on|keep going)(?: any ?more| like this)?"
    r"|no (?:reason|point) (?:to|in) (?:live|living|going on|carrying on|being here)"
    r"|(?:better off|be better) (?:dead|without me)|better off if i (?:was|were)n'?t (?:here|around|alive)"
    r"|(?:i'm|i am|im|i feel|feeling|felt|been|getting|got|so|really|very) (?:so |really |very |quite |pretty )?suicidal"
    r"|suicid(?:e|al) (?:thoughts|feelings|ideation|plan|note)(?: again| tonight| today)?"
    r"|not (?:be )?(?:here|around) (?:tomorrow|much longer|any ?more|by (?:christmas|the weekend|next week))"
    r"|(?:written|writing|wrote) (?:a |my )?(?:suicide |goodbye )?(?:note|letter)s? (?:to|for) (?:my|everyone)"
    # Slang and UK idiom for suicide, and means and plans said plainly.
    r"|kms|unalive (?:myself|me)|sewer ?slide|(?:top|off|neck) myself|do myself in|end things"
    r"|(?:jump|jumping|step|stepping|throw myself|throwing myself) (?:off|from|in front of) (?:a|the|that) (?:\w+ )?(?:bridge|train|bus|lorry|building|car park|multi ?-?storey|cliff|roof|tower block)"
    r"|(?:drive|driving|crash|crashing|steer|steering) (?:my car |the car )?(?:into|off) (?:a|the) (?:tree|wall|bridge|lorry|river|cliff|motorway barrier)"
    r"|(?:bought|got|buying|getting) (?:the |some |a )?rope|(?:stockpil(?:e|ed|ing)|saving up|hoarding|been saving) (?:my |all my |up my )?(?:tablets|pills|meds|medication|insulin|tabs)"
    r"|how many (?:of my |of these |of them |)?(?:\w+ )?(?:tablets|pills|tabs|meds|units)[^.!?\n]{0,30}(?:would it take|to die|would kill|is fatal|is lethal|does it take)"
    # Typos and run-together spellings of the plain phrases.
    r"|kil+ ?my ?self|kil+ ?me ?self|end my (?:lfe|lief|liife)|suicidle|sucidal|suicidial"
    r"|un-?aliv(?:e|ing) (?:myself|me)|(?:wanna|want to|gonna|going to|thinking (?:of|about)|about to) un-?aliv\w*|(?:wanna|gonna|going to|want to|finna|gna|might|could|should|just) (?:end it|end things|die|not wake up|disappear for good)"
    r"|end it (?:all|tonight|soon|today|this week|for good|now)"
    r"|(?:check|checking|clock|clocking|bow|bowing|tap|tapping) out (?:early|for good|permanently|of life)"
    r"|(?:sleep|go to sleep|fall asleep) and (?:never|not) (?:wake|waking) up"
    r"|(?:want|wanna|hope|wish|pray|praying)(?: to| that| i)?(?: just)? (?:never|not|don't|dont) wake up"
    r"|(?:stop|stopped) existing|(?:don't|dont|do not) want to (?:exist|be alive|be here|live)"
    r"|(?:tired|sick) of (?:living|being alive|existing|being here|life itself)"
    r"|(?:nothing|no one|nobody) (?:left )?to live for|not worth living|(?:isn't|isnt|is not|aint|ain't) worth living"
    r"|(?:rather|prefer to) (?:be dead|not be alive|not be here|not exist)|wish i(?:'d| had)? never (?:been born|woken up)"
    r"|(?:what's|whats|what is) (?:even )?(?:the )?(?:point|purpose) (?:of|in) (?:me|my life|living|being alive|being here|going on)"
    r"|(?:done|finished) with (?:life|living|being alive|this life|it all)"
    r"|(?:can't|cant|cannot) be (?:arsed|bothered|asked) (?:with |w )?(?:living|life|being alive|existing|being here)"
    r"|(?:nobody|no one|no1|noone|you|they|everyone|everybody|my \w+)(?: will|'ll| won't| wont| will not)? (?:have|need) to (?:worry|bother|deal|put up|cope) (?:about|with) me (?:soon|much longer|any ?more|for (?:much )?longer|after (?:tonight|today|this week))"
    r"|(?:don't|dont|do not|can't|cant|cannot|no longer) see (?:the|any|a) (?:point|reason)(?: (?:to|in|of) (?:anything|it all|living|life|going on|carrying on|being here|being alive|trying|waking up|me))?(?: any ?more| now)?(?=\s*(?:[.!?,\n]|$|tbh|honestly|really|tho|though|x\b|😔|😞|💔|🖤))"
    r"|(?:wouldn't|wouldnt|won't|wont|will not|would not|not gonna|not going to) be (?:here|around) (?:for|by|much|next|this time|tomorrow|after|to see|when|at)"
    r"|log(?:ging)? off (?:from|of) (?:life|existence|everything|the world)"
    r"|(?:if|when) i (?:just )?(?:wasn't|wasnt|weren't|werent|was not|were not|am not|'m not|’m not) (?:here|around|alive)(?! to\b)"
    r"|(?:happier|better off|easier|fine) (?:if|when) i(?:'m| am)? (?:was |were |just )?(?:gone|dead|not here|not around|(?:disappeared|vanished)(?! (?:to|for|off|on|into|abroad|somewhere))|died|didn't exist|didnt exist)"
    r"|(?:help it along|let it (?:take|have|finish) me|take me with it|can have me)"
    r"|(?:i'm|im|i am|am|i'll|ill|i will|gonna|gna|going to|plannin\w*|planning to|thinking (?:about|of)|thinkin (?:about|of)) (?:just )?end(?:ing|in)? (?:it|things|my life)"
    r"|(?:let|letting|lettin) (?:it|this|the \w+|my \w+|them|dka|covid|the cancer) (?:take me|have me|finish me|win|be it|go[.,]? and me)"
    r"|(?:hope|hoping|hopin|pray|praying)[^.!?\n]{0,40}\b(?:finish(?:es)? me(?: off)?|take(?:s)? me|kill(?:s)? me|does the job|(?:don't|dont|do not|never) (?:wake|come round|wake up))"
    r"|(?:just )?let this be it|(?:top|topping|toppin) (?:mesel|meself|mysel)"
    r"|(?:make|making|set|setting) my own end(?: date)?|on my own terms|(?:looking|lookin|look) for a way out|(?:it's|its|is) my way out|the only way out"
    r"|(?:game end|yeet|delete|deleted) (?:myself|me)(?: from existence)?|permanent(?:ly)? log ?off|alt ?f4 on (?:my )?(?:whole )?life"
    r"|(?:im|i'm|i am) (?:not )?(?:stickin|sticking) around|not long for this(?: world)?|ctb\b"
    r"|(?:don't|dont|do not) want to (?:see|make it to) my (?:\d+\w*|next) (?:birthday|christmas)"
    r"|(?:welcome|wouldn't mind|wouldnt mind|wouldn't fight|wouldnt fight)[^.!?\n]{0,30}(?:ended it|heart attack|it if|if i (?:died|got hit|stepped out|didn't wake))"
    r")\b",
    re.IGNORECASE,
)
SELF_HARM = re.compile(
    r"\b(?:"
    r"(?:cut|cutting|burn|burning|hurt|hurting|harm|harming|starve|starving) myself"
    r"|i (?:self[- ]?harm(?:ed)?|sh|cut|overdosed|od'?d)\b|(?:started|back to|relapsed into|urge to|urges to) (?:self[- ]?harm(?:ing)?|sh|cutting)"
    r"|(?:take|taking|took|swallow|swallowing|swallowed) (?:all|every one|the whole (?:box|packet|lot))(?: of)? (?:my |the )?(?:tablets|pills|meds|medication|insulin|tabs)"
    r"|(?:going to|gonna|want to|wanna|thinking of|planning to) (?:overdose|od)"
    r"|relaps(?:e|ed|ing) (?:on|into|with|back into) (?:self[- ]?harm(?:ing)?|sh|cutting|burning)"
    r"|(?:self[- ]?harm|sh|cutting|cut|harm) urges|urges? to (?:cut|hurt myself|harm myself|burn myself)"
    r"|(?:about to|gonna|going to|might|close to) relapse|(?:cut|cutting|burnt|burned|hit|scratched) (?:again|my (?:arms?|legs?|wrists?|thighs?|stomach|skin))"
    r"|(?:picked up|got out|bought) (?:the |a |new )?(?:blades?|razors?)|got the (?:blade|razor) out"
    r"|(?:cuttin|cutting|burning|burnt|burned|scalding|scalded|scratchin\w*|scratching|punching|hitting|hit|picking at|digging at|dug at)"
    r" (?:myself|my (?:own )?(?:arms?|legs?|wrists?|thighs?|skin|stomach|fistula)|walls?)\b[^.!?\n]{0,40}(?:on purpose|again|till|until|raw|bleed)"
    r"|(?:burnt|burned|scalded|scalding|hurt|hurting|harmed|hit|hitting|starving|starved) (?:myself|my \w+)[^.!?\n]{0,40}\bon purpose"
    r"|(?:been|started|start) (?:doin\w*|doing|cuttin\w*|cutting) (?:sh|self[- ]?harm|again)"
    r"|(?:sh|self[- ]?harm) (?:streak|again|relapse)|(?:days|weeks|months|years?) clean[^.!?\n]{0,40}(?:relaps\w*|again|broken|gone|gave in)"
    r"|relaps\w*[^.!?\n]{0,30}\b(?:clean|sh|self[- ]?harm|cutting|cuttin)\b"
    r"|(?:ima|i'?m gonna|im gonna|gonna|going to|gna) (?:od|overdose)\b|\bod (?:on|tonight|tn)"
    r"|(?:take|taking|takin|took) (?:all|em all|them all|all of (?:my|them|em))(?: my| the)? (?:\w+ )?(?:tablets|pills|meds|medication|insulin|tabs|pens)?(?:[^.!?\n]{0,20}(?:tonight|tn|w vodka|with vodka|together|at once))"
    r")\b",
    re.IGNORECASE,
)
# Bare mentions ("suicide", "self-harm", "overdose") fire only when the model also hears a crisis
# (see assess): on their own they are as often awareness posts and dark jokes.
MENTION = re.compile(
    r"\b(?:suicid(?:e|al)|self[- ]?harm(?:ing|ed)?|overdos(?:e|ing|ed))\b", re.IGNORECASE
)
# Stopping treatment as a way to die: dialysis, insulin, medication, with the intent said.
STOP_TREATMENT = re.compile(
    r"\b(?:stop|stopping|quit|quitting|skip|skipping|refuse|refusing|give up|giving up|come off|coming off)"
    r"\s{1,10}(?:my\s{1,10}|all\s{1,10}my\s{1,10}|the\s{1,10})?(?:dialysis|insulin|meds|medication|tablets|treatment|transplant meds|anti-?rejection meds)"
    r"[^.!?]{0,60}?\b(?:die|dying|dead|end it|let (?:it|me) go|be done|(?:not|don't|dont|won't|never) wake up|just go)\b"
    # Stopped, and the harm is the point ("I know the risk. that's kind of the point").
    r"|\b(?:stopped|stopping|quit|binned|not taking|skipping|skipped|stop) (?:my |all my |taking my |the )?"
    r"(?:dialysis|insulin|meds|medication|tablets|treatment|tacro\w*|warfarin|beta ?blockers|blood thinners|immunosuppressants|anti-?rejection \w+|heart (?:meds|tablets))"
    r"[^\n]{0,120}?(?:that's (?:kind of |sort of |rather |literally |the whole )?the point|that's what i want|i know the risks?|i know what (?:will|it'll) happen|so it (?:ends|stops)|take me with it|want (?:the|my) \w+ (?:2|to) fail)"
    r"|(?:stop|stopping|stopped) (?:coming|going|turning up) (?:to|for) (?:dialysis|my sessions|the unit|treatment)[^\n]{0,100}?(?:for good|genuinely|seriously|not a joke|mean it|thinking about it)"
    r"|(?:stopping|stop|come off|coming off|refusing) (?:the |my |all )?(?:disease[- ]modifying |)?(?:treatment|meds|medication) and (?:everything|all the rest|everything else)",
    re.IGNORECASE,
)
# What people in crisis say they are saving or counting (tablets, pens, named drugs).
MEANS = (
    r"(?:pills|tablets|tabs|meds|medication|insulin|pens|painkillers|codeine|tramadol|morphine|morfeen|oramorph|"
    r"gliclazide|pregabalin|gabapentin|amitriptyline|paracetamol|co-?codamol|fentanyl|baclofen|novorapid|"
    r"sleeping pills|pred|heart tablets|oxy\w*|diazepam|zopiclone|sertraline|propranolol)\b"
)
# Plans, means and goodbyes said without any word for dying ("Bought what I need").
PLAN = re.compile(
    r"\b(?:"
    r"(?:bought|got|have|ordered|sorted) (?:everything |all |exactly )?what i need(?:ed)?(?: to| now|\.|$)"
    r"|(?:picked|chosen|chose|set|got) (?:a |the )?(?:date|day|time|place|spot|(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b"
    r"|(?:put by|put away|tucked away|hidden away|set aside)[^.!?\n]{0,30}"
    + MEANS
    + r"|"
    + MEANS
    + r"[^.!?\n]{0,40}(?:put by|put away|hidden away|set aside)"
    r"|if (?:the|my) (?:kidney|heart|liver|lungs?|transplant|graft|body) (?:goes|fails|gives up|gives out|stops)[,]? (?:i go|so do i|i'll go with it|i go with it)"
    r"|(?:decided|worked out|planned|know) (?:how|when|where) (?:i'?(?:ll|m going to|m gonna)|to) (?:do it|end it|go)"
    r"|(?:do it|end it|go through with it)[^.!?\n]{0,40}when (?:my|the) \w+(?: \w+)? (?:is|are|'s|'re|goes|go) (?:out|away|at|asleep|gone|on holiday|to work)"
    r"|(?:when|once|while) (?:my|the) \w+ (?:is|are|'s|'re) (?:out|away|asleep|on holiday)[^.!?\n]{0,30}(?:do it|end it|doing it|go through with it)"
    r"|(?:noose|ligature|hose ?pipe (?:on|to) the exhaust|tied (?:a|the) rope)"
    r"|(?:sat|sitting|sit) in the car in the garage|(?:car|garage)[^.!?\n]{0,40}(?:door|doors) (?:shut|closed)[^.!?\n]{0,60}(?:engine|turn it on|not yet)"
    r"|(?:keep|kept|been) (?:stopping|standing|looking down|staring down) (?:on|at|over|from) (?:it|that|the|a) ?(?:bridge|edge|tracks|platform|roof|cliff)?"
    r"|(?:bridge|edge|tracks|platform|roof|cliff)[^.!?\n]{0,40}keep (?:stopping|standing|looking down)"
    r"|(?:saved|saving|stockpiled|collected|hoarded|kept|got|have) (?:up )?(?:enough|a stash of|loads of|a pile of|a drawer (?:full )?of|all my) (?:old )?(?:pills|tablets|tabs|meds|insulin|painkillers|codeine|tramadol|morphine|oramorph|oxy\w*|paracetamol|co-?codamol|sleeping pills)"
    r"|(?:enough|all (?:of )?(?:my|the)) (?:pills|tablets|tabs|meds|insulin|painkillers|codeine|tramadol|morphine|paracetamol) to (?:kill|end|do it|not wake|never wake|make sure)"
    r"|how (?:many|much) (?:of )?(?:my |the )?\w+[^.!?\n]{0,25}(?:would be enough|to be enough|would do it|to do it|before (?:it|you) (?:stops|kills)|(?:is|would be) too much|i'?d need|it takes)"
    r"|(?:saving|saved|sved|kept back|keeping back|putting aside|put aside|collecting|collected|hoarding|hoarded|stocking up|stocked up|gathered|gathering|stash of|lined up|counted|counting)"
    r" (?:up )?(?:on )?(?:all )?(?:of )?(?:my |the |me |em\b|them\b)?(?:spare |extra |old )?"
    + MEANS
    + r"|"
    + MEANS
    + r" (?:counted|lined up|saved|ready|in a (?:bag|tin|drawer|box))"
    r"|(?:looked|looking|lookin|read|reading) (?:up |into |about )(?:how (?:to do it|to end it|many|much)|ways to (?:die|end it|do it))"
    r"|(?:got|have|i've got) (?:a|my|the) plan (?:n|and|for) (?:everything|i'?m|im|this|tonight|the weekend)|(?:finished|finish) (?:planning|plannin)\b"
    r"|(?:planning|plannin|planned) (?:my exit|the end|my death|my suicide|my own death)\b"
    r"|(?:going|gonna|gna|ima|i'm going|im going|i will|i'll|ill|will) (?:to )?(?:do it|go through with it|act on it)[^.!?\n]{0,30}(?:tonight|tn|tomorrow|2moro|tmrw|this week\w*|wkend|after|before|when|once|on (?:mon|tues|wednes|thurs|fri|satur|sun)day|fri|sat|sun)"
    r")",
    re.IGNORECASE,
)
GOODBYE = re.compile(
    r"\b(?:"
    r"(?:this is|consider this|think of this as) (?:my |a )?(?:goodbye|last (?:post|message))"
    r"|(?:my|this is my) (?:last|final) (?:post|message|goodbye)"
    r"|(?:goodbye|bye) (?:everyone|all|every1|forever|for good)"
    r"|(?:won't|wont|will not|never) (?:see|talk to|speak to|be posting (?:to|here|on here)) (?:you|any of you|you all|you lot) again"
    r"|(?:written|writing|wrote|left) (?:my |the |some )?(?:letters|notes) (?:for|to) (?:my|everyone|the)"
    r"|(?:giving|given|gave) (?:away )?(?:my|all my) (?:things|stuff|cat|dog|pets?|belongings)(?: away)?"
    r"|(?:gave|given|giving) (?:my|the) (?:cat|dog|pet) to"
    r"|(?:sorted|sorting|updated|made) my will[^.!?\n]{0,40}(?:ready|done|now|tonight|goodbye)"
    r"|(?:look after|take care of|feed) my (?:cat|dog|kids|children|babies|pets?) for me"
    r"|tell my (?:mum|mom|dad|kids|wife|husband|partner|family|sister|brother) i (?:love|loved|am sorry|'m sorry)"
    r"|see you (?:all )?on the other side"
    r"|(?:won't|wont|will not|i'll not|ill not|not gonna|never) be (?:posting|on here|joining|coming back|back on here)(?: again| any ?more)"
    r"|(?:last|final) (?:one|post|message) from me|(?:one|my) last (?:post|message) (?:here|on here|from me)"
    r"|(?:log(?:ging)? off|signing off|leaving|disappear(?:ing)?|gone|i'm out|im out|out)[.,]? (?:for good|permanently|forever)"
    r"|(?:goodbye|bye) (?:my (?:friends|lovelies|loves)|x+\b|here too|harbour)"
    r"|(?:wanted|want) to say (?:goodbye|bye)|(?:going to|gonna) say goodbye"
    r")",
    re.IGNORECASE,
)
BURDEN = re.compile(
    r"\b(?:everyone|everybody|my (?:family|kids|partner|wife|husband|mum|dad|parents)|they|the world)"
    r"(?: would| will|'d)? (?:be )?better off without me\b|\bi(?:'m| am) (?:just )?a burden(?: to (?:everyone|everybody|my \w+))?\b"
    r"|\b(?:manage|cope|do|be fine|be better|be happier|gonna be fine)[^.!?\n]{0,15}without (?:me|having to (?:look after|care for|worry about|deal with) me)\b"
    r"|\bbetter off wi(?:th)?(?:out)? (?:the insurance|me)\b|\bone less (?:chair|bed|burden|mouth|problem)\b"
    r"|\b(?:been )?a burden (?:long enough|for too long)\b|\bno ?1 (?:wud|would) miss me\b|\bnobody would (?:even )?(?:miss|notice)\b"
    r"|\b(?:have|had|get|live|lead) (?:a )?(?:much )?(?:better|easier|happier|nicer) (?:life|lives|time|future) without me\b"
    r"|\b(?:everyone|everybody|every1|evry1|they|my (?:family|kids|partner|wife|husband|mum|dad|parents))(?: would| will|'d| wud)?(?: all)? (?:be|b) better off(?: tbh| honestly| really)?(?=\s*(?:[.!?\n]|$))"
    r"|\b(?:if|once|when|with) (?:i|me)(?:'m| am| was| were|'d been| had been)? (?:just )?(?:out of (?:the|their|his|her|everyone's) (?:picture|way|lives|life|hair)|gone for good|no longer (?:here|around|alive))\b",
    re.IGNORECASE,
)
# A member worried that someone else is at risk. Not the author's own crisis, so it is not sent
# urgent (that would hide the post and silence someone reaching out for advice); assess()
# publishes it with a review flag at high priority so a moderator can check on them soon.
OTHER = (
    r"(?:(?:my|our|her|his) (?:best |close |old )?(?:friend|mate|pal|son|daughter|sister|brother|"
    r"brother-in-law|sister-in-law|mum|mom|dad|partner|wife|husband|girlfriend|boyfriend|colleague|"
    r"flatmate|cousin|nephew|niece|grandson|granddaughter|teenager|kid|child|uncle|aunt|neighbour)"
    r"|a (?:friend|mate|colleague|member|neighbour))(?:'s)?\b"
)
THEIR_CRISIS = (
    r"(?:suicid\w*|kill(?:ing)? (?:him|her|them)sel(?:f|ves)|end(?:ing)? (?:it all|(?:his|her|their) (?:own )?life)|"
    r"(?:wants?|wanting) to die|(?:not|doesn't|does not|don't|didn't) want(?:ing|s)? to (?:live|be here|be alive|wake up)|"
    r"self[- ]?harm\w*|(?:been )?cutting|hurt(?:ing)? (?:him|her|them)sel(?:f|ves)|overdos\w*|"
    r"wish(?:es|ed)? (?:she|he|they)(?:'d| had)? (?:not|never) (?:survived|woken|been born)|"
    r"let (?:him|her|them) go|better off dead|(?:had|has) enough of (?:life|living))"
)
CONCERN = re.compile(
    r"\b(?:"
    + OTHER
    + r"[^.!?\n]{0,80}?\b"
    + THEIR_CRISIS
    + r"|(?:she|he|they)(?:'s| is| has| was| have|'ve| are|'re) (?:been )?(?:suicidal|self[- ]?harming|cutting (?:again|herself|himself|themselves))"
    r")",
    re.IGNORECASE,
)
# Someone lost ("lost my friend to suicide"): grief, not a worry to act on.
GRIEF = re.compile(r"\b(?:to|by) suicide\b|\bdied\b", re.IGNORECASE)
CONCERN_CODE = "concern.other_person"


def concern_for_another(text: str) -> list[Reason]:
    """A member worried someone else may be suicidal or self-harming (reported, not the
    author's own crisis: a flag for a moderator, see assess)."""
    found = reason(
        CONCERN_CODE,
        N_(
            "Worried someone else may be suicidal or self-harming: published, but a moderator "
            "should check on the member soon and offer support resources."
        ),
        (m for m in _finditer(CONCERN, text) if not GRIEF.search(m.group(0))),
    )
    return [found] if found else []


# Wording that is a crisis only in context ("I've decided", "let it happen", "relapsed"): it
# counts when the model also hears a crisis at some strength (see assess: WEAK_SHARE).
WEAK = re.compile(
    r"\b(?:"
    r"(?:worked|figured|thought) it (?:all )?out|i'?ve decided\b|(?:made|make) (?:up )?my (?:mind|decision)"
    r"|(?:won't|wont|will not) (?:be )?need(?:ing)? (?:it|them|either|those|any of it)|let it happen|let it come"
    r"|relaps(?:e|ed)\b|(?:i'm|im|i am) (?:so )?done(?=[.!,]|$| now| fr| bro)|(?:had|have had|'ve had) enough(?=[.!,]|$| now| of (?:it|life|everything|this|living))|no (?:point|pt)\b|ready to go\b"
    r"|thank (?:you|u) (?:all |everyone )?for everything|(?:don't|dont) blame (?:yourselves|yourself|urselves)"
    r"|(?:wasn't|wasnt|isn't|isnt|it's not|its not) (?:your|ur|anyone's|any1s) fault|on purpose\b"
    r"|(?:not|won't|wont) (?:going to|gonna|gna) (?:be here|make it)|one way or another"
    r"|(?:sorted|arranged|planned|set) (?:it|it all|everything|things)(?: up)? for (?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|tonight|tomorrow|the weekend|next week)"
    r"|(?:planned|planning|wrote|written|writing|chose|chosen|picked) (?:out )?my (?:own )?funeral|my funeral (?:playlist|songs|music|hymns)"
    r"|(?:i'm|im|i am) (?:at|on|standing on|sat on|sitting on) (?:the|a) (?:bridge|edge|cliff|cliffs|tracks|roof|platform edge)(?=[.!,]|$| now| again)"
    r"|(?:feel|feeling|i'm|im|i am) (?:so |strangely |weirdly |really )?(?:calm|at peace|peaceful) (?:now|about it)|(?:date|day|time)(?:'s| is) (?:set|picked|chosen)"
    r"|(?:everything|it all|my affairs|affairs|things)(?:'s| is| are)? (?:now )?(?:in order|all sorted|tidy|ready now)|letters (?:are )?(?:written|done)"
    r"|(?:not|won't|wont|will not|never) (?:be )?(?:coming|going|getting) (?:home|back)(?: from (?:it|this|there))?(?=[.!,]|$| again| this time)"
    r"|(?:my|an|the) (?:exit|way out)(?=[.!,]|$)|(?:won't|wont|will not|not going to) (?:need|be needing) (?:it|them|this|that|these|those|any more|anymore)"
    r"|(?:this|that)(?: is|'s|s) it from me|(?:don't|dont|do not|please don't) (?:be sad|cry|grieve|miss me|blame)\b"
    r"|no more \w+,? no more \w+|no more anything|(?:started|start) making (?:it|that|this) happen"
    r")|🪦|⚰️?|🔪",
    re.IGNORECASE,
)
WEAK_CODE = "crisis.in_context"


# A whole post that is only a kind formula ("Thinking of you.", "Sending love x"): the embedding
# puts these close to goodbyes, so the model's crisis score alone does not send them urgent
# (assess publishes them with a high-priority flag instead; any crisis rule still goes urgent).
SUPPORTIVE_FORMULA = re.compile(
    r"(?:(?:thinking of|thinking about|praying for|rooting for|here for|with) (?:you|u|ya)(?: all| both| today| tonight| lovely| hun| mate| love| x+)?"
    r"|sending (?:you )?(?:love|hugs?|strength|positive vibes|good vibes|spoons|best wishes)(?: to you| your way)?"
    r"|good luck(?: tomorrow| today| with (?:it|the \w+))?|take care(?: of yourself)?|big hugs?|hugs?|love to you(?: all)?"
    r"|(?:hope|hoping) (?:it|today|tomorrow|the \w+) goes (?:well|ok|okay)|you've got this|you got this|stay strong"
    # Thanks for something a member gave ("Thanks everyone for the tips."): never "for everything".
    r"|(?:thanks|thank you|thank u|thanku|thx|ty|cheers|ta|many thanks)(?: so much| very much| again| loads| a lot)?"
    r"(?: (?:everyone|everybody|every1|all|guys|folks|both|all of you|you all|again|lovely people))?"
    r" for (?:the |your |all the |all your |all of the |sharing (?:the |your )?)?(?:\w+ )?(?:tips|tip|advice|replies|reply|help|info|information"
    r"|suggestions|support|kind words|recommendations|answers|answer|links?|ideas|reassurance|responses|welcome|encouragement|explanation|pointers|ideas))"
    r"(?:[ ,.!]+(?:x+|xx+|love|hun|mate|lovely|❤️|💕|🙏|🤗|💙|💜))*[ .!❤️💕🙏🤗💙💜x]*",
    re.IGNORECASE,
)


WELL_WISHING = re.compile(
    r"\bi(?:'m| am)? (?:hope|hoping|sure|know (?:you|u)|bet|glad|think (?:you|u))\b", re.IGNORECASE
)
# Words that turn kind words into a farewell ("Thinking of you all. Goodbye.").
FAREWELL = re.compile(
    r"\b(?:good ?bye|bye|farewell|tonight|tonite|last|end|ending|decided|decision|sorry|forever"
    r"|any ?more|never|gone|done|ready|over|forgive|remember)\b",
    re.IGNORECASE,
)
FIRST_PERSON = re.compile(r"\b(?:i|i'm|im|i've|ive|i'll|i'd|me|my|myself|mine)\b", re.IGNORECASE)


def only_kind_words(text: str) -> bool:
    """Whether the post is nothing but supportive formulas, or opens with one and then only
    wishes the reader well (it says nothing about the author but "I hope…")."""
    text = text.strip()
    if len(text) > 200:
        return False
    parts = [p for p in re.split(r"(?<=[.!,])\s+", text) if p]
    if not parts or not SUPPORTIVE_FORMULA.fullmatch(parts[0].rstrip(",")):
        return False
    rest = WELL_WISHING.sub("", " ".join(parts[1:]))
    return not FIRST_PERSON.search(rest) and not FAREWELL.search(rest)


# Negation just before the phrase ("I'm not going to", "I would never", "I don't want to").
NEGATION_BEFORE = re.compile(
    r"\b(?:not|never|n't|no longer|wouldn't|won't|don't|didn't|isn't|aren't)\b(?:\s+\w+){0,3}\s*$",
    re.IGNORECASE,
)
NEGATION_REACH = 60  # characters looked back for a negation
# Phrases that already contain their negation; preceding negation words must not cancel them.
SELF_NEGATING = re.compile(
    r"^(?:don't|dont|do not|can't|cant|cannot|no|if i|when i|wouldn't|wouldnt|won't|wont|not)\b",
    re.IGNORECASE,
)
# Idioms that look alarming and are not ("die of embarrassment", "to die for").
IDIOMS = re.compile(
    r"\b(?:die|dying|died) (?:of|from) (?:embarrassment|laughter|laughing|boredom|shame|cringe)\b"
    r"|\bto die for\b|\bdying to (?:know|see|try|meet|hear|go)\b",
    re.IGNORECASE,
)
# Someone else's words or a past that is over: still fires (a human should look), but says so.
REPORTED = re.compile(
    r"\b(?:used to|years ago|when i was (?:younger|a teen)|in the past)\b", re.IGNORECASE
)


@cache
def _case_sensitive(pattern: re.Pattern[str]) -> re.Pattern[str]:
    return re.compile(pattern.pattern)


def _finditer(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """The pattern's matches, found in the lower-cased text when lower-casing keeps every
    offset (nearly always): Python's IGNORECASE makes these large alternations 4-5x slower."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return _case_sensitive(pattern).finditer(lowered)
    return pattern.finditer(text)


def _live(text: str, pattern: re.Pattern[str]) -> list[re.Match[str]]:
    found = []
    for match in _finditer(pattern, text):
        if IDIOMS.search(text[max(0, match.start() - 10) : match.end() + 20]):
            continue
        # The few words before the phrase, within its sentence (bounded: linear in the text).
        reach = max(0, match.start() - NEGATION_REACH)
        sentence_start = max(text.rfind(c, reach, match.start()) for c in ".!?\n") + 1
        before = text[max(sentence_start, reach) : match.start()]
        if not SELF_NEGATING.match(match.group(0)) and NEGATION_BEFORE.search(before):
            continue
        found.append(match)
    return found


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Typo tolerance: a word one slip away (a letter dropped, added, changed, or two swapped) from one
# of these is read as it before the crisis rules run again ("i dont wnat to be alive anymre").
# Four-letter words only forgive a swap ("wnat", "klil"): one changed letter makes a real word.
RESPELLED = _word_set(
    "alive anymore living myself suicide suicidal killing wanna existing ending tablets pills "
    "overdose goodbye tonight harming cutting worth tired burden bridge hanging forever everyone "
    "nobody disappear pointless hopeless being anything deserve going leave leaving sorry "
    "tomorrow without better point exist world life want kill dead wish hope"
)
# Real words one slip from those: never respelled ("tried" is not "tired", "giving" not "living").
REAL_WORDS = _word_set(
    "giving lining loving willing filling sending vending pending tablet tables bills mills pulls "
    "hills tills kills letter bitter butter batter points joint paint pint putting tutting worthy "
    "north wort tried wired fired timed hired tied fridge changing handing ganging bring beings "
    "doing leaning worry lorry would word exit exists leaves overdosed overdoses goodbyes "
    "deserved deserves nobodys lief exits pillow tiled tire tiredness lease heave weave tires "
    "print beater setter getter wetter fetter bettor fills wills gills sills piles polls spills "
    "lending mending bending tending fending rending endings gutting jutting billing milling "
    "liking diving banging ranging charming warming farming forth heaving weaving bling reserve "
    "homeless exiting alike olive"
)
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@cache
def _slips() -> dict[str, str]:
    """Every spelling one slip from a word in RESPELLED, to that word (ambiguous ones dropped)."""
    found: dict[str, set[str]] = {}
    for word in RESPELLED:
        variants = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
        if len(word) > 4:
            variants |= {word[:i] + word[i + 1 :] for i in range(len(word))}
            variants |= {word[:i] + c + word[i + 1 :] for i in range(len(word)) for c in _LETTERS}
            variants |= {word[:i] + c + word[i:] for i in range(len(word) + 1) for c in _LETTERS}
        for variant in variants - RESPELLED - REAL_WORDS - {word}:
            if len(variant) >= min(5, len(word)):  # "live" is not a slip of "alive"
                found.setdefault(variant, set()).add(word)
    slips = {}
    for variant, words in found.items():
        # "suicidel" is one slip from "suicide" and "suicidal": the one of its length wins.
        best = words if len(words) == 1 else {w for w in words if len(w) == len(variant)}
        if len(best) == 1:
            slips[variant] = next(iter(best))
    return slips


_WORD = re.compile(r"[a-z]+")


def respell(text: str) -> tuple[str, list[int]] | None:
    """The lower-cased text with slips corrected, and for each of its characters the offset of the
    character it came from (one more at the end); None when nothing needed correcting."""
    lowered = text.lower()
    if len(lowered) != len(text):
        return None
    slips = _slips()
    pieces: list[str] = []
    origin: list[int] = []
    done = 0
    for match in _WORD.finditer(lowered):
        correct = slips.get(match.group(0))
        if correct is None:
            continue
        start, end = match.span()
        pieces.append(lowered[done:start])
        origin.extend(range(done, start))
        pieces.append(correct)
        origin.extend(start + min(i, end - start - 1) for i in range(len(correct)))
        done = end
    if not pieces:
        return None
    pieces.append(lowered[done:])
    origin.extend(range(done, len(lowered) + 1))
    return "".join(pieces), origin


def detect(text: str) -> list[Reason]:
    reasons = _detect(text)
    respelled = respell(text)
    if respelled is None:
        return reasons
    corrected, origin = respelled
    by_code = {r.code: r for r in reasons}
    extra = _detect(corrected)
    for found in extra:
        spans = tuple(
            Span(origin[s.start], origin[s.end - 1] + 1, s.reason_code) for s in found.spans
        )
        mine = by_code.get(found.code)
        merged = tuple(
            sorted({*(mine.spans if mine else ()), *spans}, key=lambda s: (s.start, s.end))
        )
        by_code[found.code] = Reason(code=found.code, message=found.message, spans=merged)
    codes = [r.code for r in reasons]
    codes += [r.code for r in extra if r.code not in codes]
    return [by_code[code] for code in codes]


def _detect(text: str) -> list[Reason]:
    reasons = [
        reason(
            "crisis.suicidal_ideation",
            N_("Possible crisis: the post talks about wanting to die or end their life."),
            _live(text, SUICIDAL),
        ),
        reason(
            "crisis.plan_or_means",
            N_("Possible crisis: the post reads like a plan or the means to end their life."),
            _live(text, PLAN),
        ),
        reason(
            "crisis.goodbye",
            N_("Possible crisis: the post reads like saying goodbye."),
            _live(text, GOODBYE),
        ),
        reason(
            "crisis.burden",
            N_("Possible crisis: the author feels others would be better off without them."),
            _live(text, BURDEN),
        ),
        reason(
            "crisis.self_harm",
            N_("Possible crisis: the post mentions self-harm or an overdose."),
            _live(text, SELF_HARM),
        ),
        reason(
            "crisis.mention",
            N_("Possible crisis: the post mentions suicide, self-harm or an overdose."),
            _live(text, MENTION),
        ),
        reason(
            WEAK_CODE,
            N_(
                "Possible crisis: wording that, with the rest of the post, reads like a plan or a goodbye."
            ),
            _live(text, WEAK),
        ),
        reason(
            "crisis.stopping_treatment",
            N_("Possible crisis: the author talks about stopping treatment in order to die."),
            _live(text, STOP_TREATMENT),
        ),
    ]
    return [r for r in reasons if r is not None]
