"""One test per family of warning signs, with sentences written for these tests.

None of them is in the phrase file word for word (checked below): the signs are combinations
of cues (a means AND a time, a question AND a lethal amount, a person AND a sign of overdose),
so new wording of a known warning sign is still caught. Content warning: suicide, overdose,
abuse.
"""

from __future__ import annotations

import pytest

from moderation.crisis import Category, CrisisDetector, Tier

FAMILIES = {
    # (family, category, lowest tier expected): sentences
    ("intent_means_time", Category.SUICIDE_SELF_HARM, Tier.IMMINENT): [
        "got 50 of my dads tramadol in my room and after everyone is asleep im doing it",
        "I've made my mind up, the gun is in my truck and it's happening this weekend",
        "sunday night, with the codeine i saved up. then it's done. i'm sorry",
    ],
    ("preparation", Category.SUICIDE_SELF_HARM, Tier.IMMINENT): [
        "spent tonight writing letters to my boys, when i'm gone they'll know it wasn't their"
        " fault",
        "gave away my fishing gear and my tools to my nephew, won't be needing them anymore",
    ],
    ("preparation", Category.SUICIDE_SELF_HARM, Tier.CONCERN): [
        "this will be my final post on here, thanks for putting up with me",
        "i have been stashing my pregabalin in a shoebox for a month",
        "my brother has a rifle in the loft and i found the ammo box",
        "i know i won't be alive by new years",
    ],
    ("place_presence", Category.SUICIDE_SELF_HARM, Tier.IMMINENT): [
        "sat on the railway line near the station right now",
        "i'm up on the roof of the hospital car park, it's really high",
        "standing at the edge of the cliff now. wind is strong",
    ],
    ("method_question", Category.SUICIDE_SELF_HARM, Tier.CONCERN): [
        "how much fentanyl would be lethal for someone who has been clean for a year",
        "does anyone know how many propranolol it takes to stop your heart",
        "what's the most painless way to go, genuinely asking",
    ],
    ("overdose_signs", Category.OVERDOSE_MEDICAL, Tier.IMMINENT): [
        "my flatmate is blue around the lips and making a weird snoring noise",
        "i can't wake him up, he shot up an hour ago and is barely breathing",
        "chest pain after using and my left arm is going numb, is this a heart attack",
        # withdrawal at its most dangerous (SAMHSA): hallucinations or seizures, now
        "quit drinking on monday by myself and now i am seeing bugs crawling on the ceiling",
    ],
    ("relapse_conditioned", Category.SUICIDE_SELF_HARM, Tier.CONCERN): [
        "if i relapse one more time im going to end it, i mean it",
        "picked up again last night after 7 months. i should just end my life",
    ],
    ("burden_hopelessness", Category.SUICIDE_SELF_HARM, Tier.CONCERN): [
        "honestly my wife and kids would have an easier life if i wasnt around",
        "i'm just a drain on my family and everyone would be better off without me",
        "i can't see a future for me anymore, it's all grey",
    ],
    # a means at hand and a time, with no word of intent at all
    ("intent_means_time", Category.SUICIDE_SELF_HARM, Tier.CONCERN): [
        "the noose is behind the boiler. friday when the flat is empty",
        "bought a shotgun off a guy at work, saturday is the day",
    ],
    ("abuse_now", Category.DOMESTIC_ABUSE, Tier.IMMINENT): [
        "my boyfriend is banging on the bathroom door, i locked myself in, he's raging drunk",
        "my stepdad has a knife and says he'll kill my mum, i'm hiding in my room",
        "he's hitting the kids again right now and i don't know what to do",
    ],
}


@pytest.fixture(scope="module")
def detector() -> CrisisDetector:
    return CrisisDetector(model=None)  # the warning signs alone: these tests are about them


CASES = [(key, text) for key, texts in FAMILIES.items() for text in texts]


@pytest.mark.parametrize(
    ("key", "text"), CASES, ids=[f"{k[0]}-{i}" for i, (k, _) in enumerate(CASES)]
)
def test_each_family_of_warning_signs(
    detector: CrisisDetector, key: tuple[str, Category, Tier], text: str
) -> None:
    family, category, tier = key
    result = detector.detect(text)
    assert result.tier >= tier, (
        text,
        detector.normalise(text),
        [m.to_json() for m in result.matches],
    )
    assert result.category == category, [m.to_json() for m in result.matches]
    assert family in {m.family for m in result.matches}, [m.to_json() for m in result.matches]
    assert result.reason.startswith(result.tier.name.lower())


def test_no_test_sentence_is_in_the_phrase_file(detector: CrisisDetector) -> None:
    phrases = detector.phrases_path.read_text(encoding="utf-8").lower()
    for _, text in CASES:
        assert text.lower() not in phrases


@pytest.mark.parametrize(
    "text",
    [
        "I picked up my prescription today, taking my meds tonight like the doctor said",
        "we're at the bridge club tonight, come along",
        "how many days until the retreat? asking for real",
        "my dog is snoring so loud tonight lol",
        "I'm scared of relapsing this weekend, going to call my sponsor",
        "my son hit a home run today!",
        "he locked his keys in the car again, so i drove over with the spare",
        "threw out all my wine glasses tonight, won't be needing those",
        "wrote a farewell letter to drinking for my counsellor, it made me cry",
        "saying goodbye to my using friends this week, it's sad but it's right",
        "I won't be here next week, off on a retreat in wales",
        "had a seizure during withdrawal once, so this time i'm detoxing with a nurse",
    ],
)
def test_ordinary_sentences_near_the_signs_stay_quiet(detector: CrisisDetector, text: str) -> None:
    result = detector.detect(text)
    assert result.tier == Tier.NONE, [m.to_json() for m in result.matches]
