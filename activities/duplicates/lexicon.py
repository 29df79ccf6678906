"""The curated vocabulary duplicate detection reads titles and descriptions with.

Kept apart from the scorer so that people who know the sector can extend it without touching
code: add a word to a concept when two listings that mean the same thing are missed, or a
stop word when a word shared by unrelated listings makes them look alike. Every entry is
plain lowercase text, as it looks after ``duplicates.normalise_text`` (no apostrophes, "&"
already "and").

A *concept* is a kind of activity ("walking", "knitting"). Two listings whose titles name the
same concept are probably the same kind of offer, and the concept's label is what a reason
says ("both about walking"). *Weak* concepts (chat, social, music...) are too broad to say that
on their own: they help only when nothing more specific is named.
"""

from __future__ import annotations

# Multi-word phrases joined into one token before anything else, so that "walking football"
# is not read as walking, and "low mood" is not read as mood.
PHRASES: dict[str, str] = {
    "walking football": "walkingfootball",
    "walking netball": "walkingnetball",
    "low mood": "lowmood",
    "hearing voices": "voices",
    "peer support": "peersupport",
    "peer led": "peersupport",
    "tai chi": "taichi",
    "qi gong": "qigong",
    "coffee morning": "coffee",
    "coffee mornings": "coffee",
    "drop in": "dropin",
    "board games": "boardgames",
    "green fingers": "gardening",
    "mens shed": "woodwork",
    "men s shed": "woodwork",
    "time bank": "timebank",
    "self esteem": "confidence",
    "eating disorder": "eatingdisorder",
    "eating disorders": "eatingdisorder",
    "young adults": "youngadults",
    "young people": "youngadults",
    "older people": "olderpeople",
    "over 50s": "olderpeople",
    "over 60s": "olderpeople",
    "over 65s": "olderpeople",
    "english as a second language": "esol",
    "conversation cafe": "conversationclub",
    "weight loss": "weightloss",
}

# concept label -> (strong?, words). A word may belong to more than one concept ("stitch").
CONCEPTS: dict[str, tuple[bool, tuple[str, ...]]] = {
    "anxiety": (
        True,
        ("anxiety", "anxious", "worry", "worries", "worrying", "panic", "phobia", "phobias"),
    ),
    "low mood": (True, ("lowmood", "depression", "depressed", "sadness")),
    "stress": (True, ("stress", "stressed", "stressful")),
    "mindfulness": (
        True,
        ("mindfulness", "mindful", "meditation", "meditate", "meditations", "relaxation"),
    ),
    "walking": (
        True,
        (
            "walk",
            "walks",
            "walking",
            "walkers",
            "stroll",
            "strolls",
            "strollers",
            "ramble",
            "ramblers",
            "rambling",
            "hike",
            "hikes",
            "hiking",
            "nordic",
        ),
    ),
    "knitting": (
        True,
        ("knit", "knits", "knitting", "knitters", "crochet", "crocheting", "stitch", "yarn"),
    ),
    "sewing": (
        True,
        ("sew", "sewing", "stitch", "stitching", "quilting", "quilt", "patchwork", "dressmaking"),
    ),
    "art": (
        True,
        ("art", "arts", "artist", "artists", "painting", "paint", "drawing", "draw", "sketching"),
    ),
    "crafts": (True, ("craft", "crafts", "crafting", "crafty", "makers")),
    "pottery": (True, ("pottery", "ceramics", "clay")),
    "photography": (True, ("photography", "photo", "photos", "photographs", "camera")),
    "cooking": (
        True,
        ("cook", "cooks", "cooking", "cookery", "kitchen", "recipe", "recipes", "baking", "bake"),
    ),
    "shared meals": (True, ("lunch", "lunches", "dinner", "meal", "meals", "breakfast", "supper")),
    "gardening": (
        True,
        (
            "garden",
            "gardens",
            "gardening",
            "gardeners",
            "allotment",
            "allotments",
            "growing",
            "horticulture",
        ),
    ),
    "beekeeping": (True, ("beekeeping", "bees", "hives", "beekeeper")),
    "singing": (True, ("sing", "singing", "singers", "choir", "choirs", "songs", "vocal")),
    "ukulele": (True, ("ukulele", "ukuleles", "uke", "ukes")),
    "guitar": (True, ("guitar", "guitars")),
    "drumming": (True, ("drum", "drums", "drumming", "percussion")),
    "yoga": (True, ("yoga",)),
    "pilates": (True, ("pilates",)),
    "tai chi": (True, ("taichi", "qigong")),
    "dancing": (True, ("dance", "dancing", "zumba")),
    "football": (True, ("football", "soccer", "futsal", "walkingfootball")),
    "netball": (True, ("netball", "walkingnetball")),
    "cycling": (True, ("cycle", "cycling", "bike", "bikes", "biking", "cyclists")),
    "swimming": (True, ("swim", "swimming", "swimmers")),
    "reading": (True, ("reading", "book", "books", "bookclub", "stories", "literature")),
    "writing": (True, ("writing", "writers", "poetry", "poems", "journalling", "journaling")),
    "bereavement": (True, ("bereavement", "bereaved", "grief", "grieving", "loss")),
    "carers": (True, ("carer", "carers", "caregivers")),
    "hearing voices": (True, ("voices", "psychosis")),
    "woodwork": (True, ("woodwork", "woodworking", "carpentry", "shed")),
    "digital skills": (True, ("digital", "computer", "computers", "internet", "tablet", "laptop")),
    "money": (True, ("money", "debt", "debts", "budget", "budgeting", "finances", "financial")),
    "employment": (True, ("job", "jobs", "employment", "cv", "careers", "interview")),
    "languages": (True, ("english", "esol", "spanish", "french", "language", "languages")),
    "sleep": (True, ("sleep", "insomnia")),
    "confidence": (True, ("confidence", "assertiveness")),
    "quizzes": (True, ("quiz", "quizzes", "trivia")),
    "bingo": (True, ("bingo",)),
    "board games": (True, ("boardgames", "chess", "draughts", "scrabble", "dominoes")),
    "time bank": (True, ("timebank",)),
    "eating disorders": (True, ("eatingdisorder", "anorexia", "bulimia")),
    "coffee mornings": (True, ("coffee", "cuppa", "cafe", "brew", "elevenses")),
    # weak: true of many different offers
    "chat": (
        False,
        ("chat", "natter", "talk", "talking", "conversation", "conversationclub", "chatter"),
    ),
    "social": (False, ("social", "socialise", "company", "friendship", "friends")),
    "peer support": (False, ("peersupport", "peer", "peers")),
    "music": (False, ("music", "musical", "musicians", "jam")),
    "exercise": (False, ("exercise", "fitness", "sport", "sports", "gym", "movement")),
    "advice": (False, ("advice", "information", "guidance", "signposting")),
    "creative": (False, ("creative", "creativity", "create")),
}

# Words that say nothing about what kind of activity it is. Audience words are here too: who
# an activity is for is judged from its audiences, not from its title's wording.
STOP_WORDS: frozenset[str] = frozenset(
    """
    a an and or the of for with to at on in by from into our your you we us it its is are be
    this that these those all any every each who what how about as up out not no
    group groups session sessions club clubs class classes circle circles corner meet meetup
    weekly fortnightly monthly daily free dropin drop course courses workshop workshops
    programme program series taster tasters
    wellbeing well being health healthy mental mind minds recovery community local together
    beginners beginner introduction intro basics gentle friendly relaxed easy new
    understanding managing overcoming coping living feeling feel better building toolkit
    support supporting skills learn learning help helping life
    online zoom virtual teams video
    morning mornings afternoon afternoons evening evenings night nights day days week weeks
    monday tuesday wednesday thursday friday saturday sunday
    centre center hub hall library rooms room
    women woman womens ladies lady girls men man mens gents male female boys
    youngadults olderpeople adults adult people person everyone anyone
    one two three four five six seven eight nine ten twelve
    """.split()  # noqa: SIM905 - a word list reads better as prose
)

# Categories shared by many different offers: evidence, but weak evidence.
GENERIC_CATEGORIES: frozenset[str] = frozenset(
    {
        "social",
        "online",
        "physical activity",
        "peer support",
        "mental health courses",
        "advice and information",
        "healthy lifestyle",
        "arts and crafts",
        "language and culture",
        "recovery college",
        "volunteering",
        "young adults",
    }
)

# Audience names that mean "no particular group".
GENERIC_AUDIENCES: frozenset[str] = frozenset(
    {"", "adults", "adult", "everyone", "all", "anyone", "all adults", "open to all", "18", "18+"}
)
# Words that name who an activity is for, wherever they appear (a title or an audience):
# "Carers' Cafe" is for carers, so it is not a duplicate of a coffee morning for everyone.
AUDIENCE_WORDS: dict[str, str] = {
    "carer": "carers",
    "carers": "carers",
    "lgbt": "LGBTQ+",
    "lgbtq": "LGBTQ+",
    "lgbtqi": "LGBTQ+",
    "lgbtqia": "LGBTQ+",
    "queer": "LGBTQ+",
    "veterans": "veterans",
    "parents": "parents",
    "mums": "parents",
    "dads": "parents",
    "students": "students",
    "refugees": "refugees and asylum seekers",
    "asylum": "refugees and asylum seekers",
}
