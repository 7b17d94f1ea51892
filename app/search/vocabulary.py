"""The words people use for their conditions: a curated list of synonyms, abbreviations and UK/US
spellings, and the parsing of a member's query into groups of alternatives.

A query is a list of terms that must all match; each term is a group of alternatives (any may
match); each alternative is a phrase of one or more words. "hd diet" becomes
[[haemodialysis | hemodialysis | dialysis | hd | pd | …], [diet]]. Both databases' query
languages are built from this one structure (app/search/service.py).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

# Each line is one group: any of its phrases finds the others. Lower case; words are split on
# anything that is not a letter or digit, as the search index splits them.
SYNONYMS: tuple[tuple[str, ...], ...] = (
    # Kidneys
    (
        "dialysis",
        "haemodialysis",
        "hemodialysis",
        "hd",
        "pd",
        "peritoneal dialysis",
        "renal replacement therapy",
    ),
    ("kidney", "kidneys", "renal"),
    ("ckd", "chronic kidney disease"),
    ("egfr", "gfr", "kidney function"),
    ("transplant", "transplantation", "tx"),
    ("fistula", "av fistula", "avf"),
    # Diabetes
    ("type 1", "t1", "t1d", "type one", "type 1 diabetes"),
    ("type 2", "t2", "t2d", "type two", "type 2 diabetes"),
    ("hba1c", "a1c", "glycated haemoglobin", "glycated hemoglobin"),
    ("libre", "freestyle libre", "cgm", "continuous glucose monitor", "dexcom"),
    ("hypo", "hypoglycaemia", "hypoglycemia", "low blood sugar"),
    ("hyper", "hyperglycaemia", "hyperglycemia", "high blood sugar"),
    ("dka", "diabetic ketoacidosis", "ketoacidosis"),
    # Heart and lungs
    ("heart attack", "mi", "myocardial infarction"),
    ("blood pressure", "bp", "hypertension"),
    ("afib", "af", "atrial fibrillation"),
    ("copd", "chronic obstructive pulmonary disease", "emphysema"),
    # Long-term conditions by other names
    ("long covid", "post covid", "postcovid", "long haul covid", "pasc"),
    ("ms", "multiple sclerosis"),
    ("cfs", "chronic fatigue syndrome", "myalgic encephalomyelitis"),
    ("ibs", "irritable bowel syndrome"),
    ("ibd", "inflammatory bowel disease", "crohns", "crohn", "ulcerative colitis"),
    ("ra", "rheumatoid arthritis"),
    ("coeliac", "celiac"),
    # Care and medicines
    ("a&e", "a e", "emergency department", "er"),
    ("gp", "family doctor"),
    ("meds", "medication", "medications", "medicine", "medicines", "tablets"),
    ("immunosuppressants", "immunosuppressant", "anti rejection"),
    # UK and US spellings
    ("anaemia", "anemia"),
    ("anaemic", "anemic"),
    ("haemoglobin", "hemoglobin"),
    ("haematology", "hematology"),
    ("haemorrhage", "hemorrhage"),
    ("oedema", "edema"),
    ("oesophagus", "esophagus"),
    ("oestrogen", "estrogen"),
    ("paediatric", "pediatric"),
    ("diarrhoea", "diarrhea"),
    ("dyspnoea", "dyspnea"),
    ("leukaemia", "leukemia"),
    ("ischaemic", "ischemic"),
    ("anaesthetic", "anesthetic"),
    ("tumour", "tumor"),
    ("orthopaedic", "orthopedic"),
    ("foetus", "fetus"),
    ("behaviour", "behavior"),
    ("fibre", "fiber"),
    ("centre", "center"),
)

WORD = re.compile(r"[^\W_]+", re.UNICODE)
# A "quoted phrase", or a word that may end in * (match as a prefix).
TOKEN = re.compile(r'"([^"]*)"|([^\W_][\w&]*\*?)', re.UNICODE)
LONGEST_PHRASE = 4
# Words this short are not matched as prefixes ("t*" would match half the index).
MIN_PREFIX = 3


def words(text: str) -> list[str]:
    return WORD.findall(text.casefold())


@dataclass(frozen=True)
class Alternative:
    """One way of matching a term: a phrase of words, the last possibly a prefix."""

    words: tuple[str, ...]
    prefix: bool = False


# A term: any of its alternatives may match.
Term = tuple[Alternative, ...]


@cache
def _groups() -> dict[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """Each known phrase (as words) → every phrase of its group."""
    index: dict[tuple[str, ...], tuple[tuple[str, ...], ...]] = {}
    for group in SYNONYMS:
        phrases = tuple(dict.fromkeys(tuple(words(p)) for p in group))
        for phrase in phrases:
            index[phrase] = phrases
    return index


@cache
def known_words() -> frozenset[str]:
    """Every word of the curated list: what "did you mean" may suggest."""
    return frozenset(w for group in SYNONYMS for phrase in group for w in words(phrase))


def parse(query: str) -> list[Term]:
    """The member's query as terms. Known words and phrases bring their synonyms; a quoted
    phrase is taken exactly; a word ending in * matches as a prefix (and every word does, on a
    second try, when whole words find nothing: see all_prefixes)."""
    raw: list[tuple[tuple[str, ...], bool, bool]] = []  # (words, quoted, star)
    for phrase, word in TOKEN.findall(query):
        if phrase:
            if found := tuple(words(phrase)):
                raw.append((found, True, False))
        else:
            split = words(word)
            for i, w in enumerate(split):
                raw.append(((w,), False, word.endswith("*") and i == len(split) - 1))
    groups = _groups()
    terms: list[Term] = []
    i = 0
    while i < len(raw):
        phrase_words, quoted, star = raw[i]
        if quoted:
            terms.append((Alternative(phrase_words),))
            i += 1
            continue
        # The longest run of bare words that is a known phrase ("heart attack", "type 1").
        matched = 1
        group = None
        for length in range(min(LONGEST_PHRASE, len(raw) - i), 0, -1):
            run = raw[i : i + length]
            if any(quoted_ for _w, quoted_, _s in run):
                continue
            key = tuple(w for ws, _q, _s in run for w in ws)
            if key in groups:
                matched, group = length, groups[key]
                break
        if group is not None:
            terms.append(tuple(Alternative(p) for p in group))
        else:
            word = phrase_words[0]
            as_prefix = star and len(word) >= MIN_PREFIX
            terms.append((Alternative((word,), prefix=as_prefix),))
        i += matched
    return terms


def all_prefixes(terms: Sequence[Term]) -> list[Term]:
    """The same terms with every single word long enough matched as a prefix (a second try when
    the exact words found nothing)."""
    return [
        tuple(
            Alternative(a.words, prefix=len(a.words) == 1 and len(a.words[0]) >= MIN_PREFIX)
            for a in term
        )
        for term in terms
    ]


def suggest(query: str, vocabulary: Iterable[str] = ()) -> str | None:
    """ "Did you mean": the query with each word that is not in the vocabulary replaced by the
    closest word that is, or None if there is nothing better to offer."""
    known = known_words() | frozenset(vocabulary)
    changed = False
    out: list[str] = []
    for word in words(query):
        if word in known or word.isdigit() or len(word) < 4:
            out.append(word)
            continue
        close = difflib.get_close_matches(word, known, n=1, cutoff=0.75)
        if close:
            out.append(close[0])
            changed = True
        else:
            out.append(word)
    return " ".join(out) if changed else None
