"""The word lists screening uses: data, kept small and explained.

Every entry is a whole word, listed with the inflections we want (no stems, no substrings):
matching is by whole token only, so "Scunthorpe", "assassination", "analysis" and
"cocktail" never match "cunt", "ass", "anal" or "cock". What the matcher forgives is the
spelling of the whole token: case, accents, leetspeak ("sh1t", "a$$"), stretched letters
("fuuuck") and letters spaced or dotted apart ("f u c k", "s.h.i.t"); see moderation/words.py.

BANNED words reject a comment automatically (the policy reason is given with each); keep
this list to words no comment on a news archive ever needs. SUSPECT words only flag a
comment and move it up the queue: a moderator decides, since quoting, reporting and
ordinary words ("prick", "Dick") make them legitimate often enough.

Changing a list changes what new comments get; stored comments keep their flags.
"""

from archive.models.comments import RejectionReason

PROFANITY = RejectionReason.PROFANITY
VULGARITY = RejectionReason.VULGARITY
ABUSE = RejectionReason.ABUSE

BANNED_WORDS: dict[str, RejectionReason] = {
    **dict.fromkeys(
        [
            "fuck",
            "fucks",
            "fucked",
            "fucker",
            "fuckers",
            "fucking",
            "fuckin",
            "fuckwit",
            "motherfucker",
            "motherfuckers",
            "motherfucking",
        ],
        PROFANITY,
    ),
    **dict.fromkeys(["cunt", "cunts"], VULGARITY),
    # Slurs: abuse under the policy (racism, homophobia).
    **dict.fromkeys(["nigger", "niggers", "faggot", "faggots", "kike", "kikes"], ABUSE),
}

SUSPECT_WORDS: frozenset[str] = frozenset(
    {
        # Profanity and vulgarity short of the banned list.
        "shit",
        "shits",
        "shitty",
        "shite",
        "bullshit",
        "shithead",
        "ass",
        "asses",
        "arse",
        "asshole",
        "assholes",
        "arsehole",
        "dumbass",
        "jackass",
        "bitch",
        "bitches",
        "bastard",
        "bastards",
        "cock",
        "cocks",
        "dickhead",
        "dickheads",
        "piss",
        "pissed",
        "wank",
        "wanker",
        "wankers",
        "twat",
        "bollocks",
        "anal",
        "whore",
        "whores",
        "slut",
        "sluts",
        # Personal attacks.
        "idiot",
        "idiots",
        "moron",
        "morons",
        "imbecile",
        "scum",
        "scumbag",
        "retard",
        "retarded",
    }
)

# Characters people type in place of letters. A token made only of these and digits is a
# number, not a word ("455" is not "ass"): a token must hold at least one real letter.
LEET: dict[str, str] = {
    "a": "@4",
    "b": "8",
    "e": "3",
    "g": "9",
    "i": "1!|",
    "l": "1|",
    "o": "0",
    "s": "$5",
    "t": "7+",
}
