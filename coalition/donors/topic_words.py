"""Which of the programme's topics an activity's own words speak of (issue 15, item 12).

A policy marker says what else a piece of work pays attention to (gender equality, good governance), not what the
work is: a gender marker on COVID relief, steel bridges or a research ship said nothing about digital inclusion, yet
it made them "Digital inclusion" at 100 %. So a marker, and a sector whose DAC meaning is wider than a topic (human
rights, elections, women's rights organisations), counts towards a topic only where the activity's title or
description speaks of that topic in the words below.

The words are phrases, not loose words, because loose words mislead on real files: "surveillance" is mostly disease
surveillance, "mobile" mostly mobile populations or clinics, "media" a list of partners, and "ICTJ" a transitional-
justice centre. English first, with the French and Spanish forms a member is likely to write. Django-free.
"""

from __future__ import annotations

import re

_TERMS: dict[str, tuple[str, ...]] = {
    "freedoms": (
        r"freedoms? of (?:expression|speech|opinion|the press|the media|assembly|association|information|belief)",
        r"free (?:expression|speech|press|media)",
        r"(?:press|media|internet|online|digital) freedoms?",
        r"independent (?:media|journalism|press|journalists?)",
        r"journalis(?:ts?|m)",
        r"censor(?:ship|ed)?",
        r"(?:internet|network|mobile|telecom(?:munications)?) (?:shutdowns?|disruptions?|blackouts?)",
        r"shutdowns? of the internet",
        r"digital rights",
        r"open internet",
        r"internet (?:openness|governance)",
        r"(?:online|digital) (?:safety|security|harassment|abuse|attacks)",
        r"civic space",
        r"human rights defenders?",
        r"(?:right of )?access to information",
        r"free flow of information",
        r"peaceful assembly",
        r"libert[ée] d'(?:expression|association|opinion)",
        r"libert[ée] de (?:la presse|réunion)",
        r"libertad(?:es)? de (?:expresión|prensa|asociación|reunión)",
        r"journalistes?",
        r"periodistas?",
        r"censur[ae]",
        r"défenseur(?:e)?s? des droits",
        r"defensor(?:a|es|as)? de (?:los )?derechos",
    ),
    "surveillance": (
        r"(?:mass|digital|online|internet|electronic|targeted|state|communications?|video|biometric) surveillance",
        r"surveillance (?:technolog(?:y|ies)|tools?|software|cameras?|of (?:journalists|activists|dissidents|"
        r"citizens|communications|human rights defenders))",
        r"spyware",
        r"data protection",
        r"personal data",
        r"privacy",
        r"facial recognition",
        r"(?:lawful )?interception of communications",
        r"digital authoritarianism",
        r"protection des données",
        r"vie privée",
        r"protección de datos",
        r"privacidad",
        r"vigilancia (?:masiva|digital)",
    ),
    "ai": (
        r"artificial intelligence",
        r"machine learning",
        r"algorithm(?:s|ic)?",
        r"automated decision(?:s|-making)?",
        r"intelligence artificielle",
        r"inteligencia artificial",
    ),
    "inclusion": (
        r"digital(?:ly)?",
        r"internet",
        r"online (?:access|services|platforms?|violence|harassment|abuse|safety)",
        r"ICTs?",
        r"information and communications? technolog(?:y|ies)",
        r"broadband",
        r"connectivity",
        r"telecommunications?",
        r"mobile (?:phones?|internet|broadband|money|networks?|connectivity)",
        r"computer (?:skills|literacy|training)",
        r"numérique",
        r"digitales?",
        r"en línea",
        r"conectividad",
    ),
}

# Case-insensitive, except "AI", where case is what tells it from other words, and only beside words that make it
# the technology: a real file spells the town of Al Abbasiya "AI Abassiya".
_PATTERNS = {topic: re.compile(r"\b(?:" + "|".join(terms) + r")\b", re.IGNORECASE) for topic, terms in _TERMS.items()}
_ACRONYMS = {
    "ai": re.compile(
        r"\b(?:AI[- ](?:systems?|tools?|models?|governance|ethics|applications?|technolog(?:y|ies)|powered|based"
        r"|driven)|(?:generative|responsible|trustworthy|use of|uses of) AI)\b"
    )
}


def spoken_of(text: str) -> frozenset[str]:
    """The topics whose words appear in `text` (an activity's title and description)."""
    if not text:
        return frozenset()
    found = {topic for topic, pattern in _PATTERNS.items() if pattern.search(text)}
    found |= {topic for topic, pattern in _ACRONYMS.items() if pattern.search(text)}
    return frozenset(found)
