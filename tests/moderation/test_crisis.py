"""Crisis-language detector and the shared evaluation helpers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from moderation.crisis import (
    Category,
    CrisisDetector,
    CrisisMatch,
    CrisisResult,
    Tier,
    evaluate_crisis,
)
from moderation.evaluation import binary_metrics, parse_label, read_labelled_csv, roc_auc

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SUICIDE = Category.SUICIDE_SELF_HARM
OVERDOSE = Category.OVERDOSE_MEDICAL
OTHERS = Category.HARM_TO_OTHERS
HOME = Category.DOMESTIC_ABUSE


def fixture_lines(name: str) -> list[str]:
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@pytest.fixture(scope="module")
def detector() -> CrisisDetector:
    """The warning signs alone: these tests are about the phrase file and its context rules
    (the learned stage has its own tests)."""
    return CrisisDetector(model=None)


# --- what people really write -----------------------------------------------------------

CAUGHT = [
    ("kms", SUICIDE),
    ("kill myself", SUICIDE),
    ("end it all", SUICIDE),
    ("I don't want to wake up tomorrow", SUICIDE),
    ("nobody would miss me", SUICIDE),
    ("I've got the pills ready", SUICIDE),
    ("i want to die", SUICIDE),
    ("better off without me", SUICIDE),
    ("cant go on", SUICIDE),
    ("cutting myself again", SUICIDE),
    ("took the whole bottle", OVERDOSE),
    ("my friend isn't breathing", OVERDOSE),
    ("I think I OD'd", OVERDOSE),
    ("I'm going to hurt him", OTHERS),
    ("he hits me", HOME),
    # missing apostrophes, case, slang, misspellings, odd spacing, leet, stretched letters
    ("i dont want to wake up tomorrow", SUICIDE),
    ("ive got the pills ready", SUICIDE),
    ("im gonna kill myself", SUICIDE),
    ("my friend isnt breathing", OVERDOSE),
    ("I think I ODd", OVERDOSE),
    ("Im going to hurt him", OTHERS),
    ("I WANT TO DIE", SUICIDE),
    ("KMS", SUICIDE),
    ("k i l l  myself", SUICIDE),
    ("end   it all", SUICIDE),
    ("i wanna diiiie", SUICIDE),
    ("k1ll mys3lf", SUICIDE),
    ("thinking about sucide", SUICIDE),
    ("i want to kill my self", SUICIDE),
    ("nobody would miss me tbh", SUICIDE),
    ("I can\u2019t go on", SUICIDE),  # a typographic apostrophe
    ("he hits me when he drinks", HOME),
]


@pytest.mark.parametrize(("text", "category"), CAUGHT)
def test_catches_what_people_really_write(
    detector: CrisisDetector, text: str, category: Category
) -> None:
    result = detector.detect(text)
    assert result.is_crisis, f"missed {text!r} (read as {detector.normalise(text)!r})"
    assert result.category == category, [m.to_json() for m in result.matches]


IDIOMS = [
    "this meeting killed it",
    "I'd kill for a coffee",
    "dying to see you",
    "my sponsor will murder me",
    "that craving nearly killed me but I stayed sober",
    "killing it at work",
    "the hangovers were killing me",
    "I could murder a pizza",
    "I'm dead tired",
    "drop dead gorgeous",
    "this heat is killing me",
    "I'm dying for a drink but I won't",
    "shoot me a text after the meeting",
    "hang in there",
    "I cut back on caffeine",
    "I had an overdose of coffee this morning",
    "I don't want to die",
    "I'm not suicidal, just tired",
    "I drank the whole bottle of vodka every night back then",
    "It hit me when I realised how much I'd lost",
    "I took my life back",
    "My wife is going to kill me when she sees this bill",
    "I beat him at chess",
]


@pytest.mark.parametrize("text", IDIOMS)
def test_idioms_do_not_cry_wolf(detector: CrisisDetector, text: str) -> None:
    result = detector.detect(text)
    assert result.tier == Tier.NONE, [m.to_json() for m in result.matches]


def test_ordinary_recovery_talk_stays_quiet(detector: CrisisDetector) -> None:
    lines = fixture_lines("ordinary_recovery_talk.txt")
    assert len(lines) >= 320
    offenders = [
        f"{text!r} -> {[(m.text, m.category.value, m.rule) for m in result.matches]}"
        for text, result in zip(lines, detector.detect(lines), strict=True)
        if result.is_crisis
    ]
    rate = len(offenders) / len(lines)
    assert rate < 0.05, f"false-positive rate {rate:.1%}:\n" + "\n".join(offenders)
    assert not offenders, "aim is zero; offenders:\n" + "\n".join(offenders)


def test_recall_on_first_person_crisis_statements(detector: CrisisDetector) -> None:
    lines = fixture_lines("crisis_statements.txt")
    assert len(lines) >= 150
    missed = [t for t, r in zip(lines, detector.detect(lines), strict=True) if not r.is_crisis]
    recall = 1 - len(missed) / len(lines)
    assert recall >= 0.95, f"recall {recall:.1%}; missed:\n" + "\n".join(missed)


def test_fixture_covers_every_category_and_tier(detector: CrisisDetector) -> None:
    results = detector.detect(fixture_lines("crisis_statements.txt"))
    assert {r.category for r in results} >= set(Category)
    assert {r.tier for r in results} >= {Tier.CONCERN, Tier.IMMINENT}


# --- spans, severity, result shape ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Honestly? I want to KILL   myself.", "KILL   myself"),
        ("ok so... k i l l  myself lol", "k i l l  myself"),
        ("I think I OD'd, help", "think I OD'd"),
        ("day 3 and kms", "kms"),
        ("Caf\u00e9 talk aside, I\u2019ve got the pills ready.", "I\u2019ve got the pills ready"),
        ("he said sorry but he hits me", "he hits me"),
    ],
)
def test_spans_point_into_the_original_text(
    detector: CrisisDetector, text: str, expected: str
) -> None:
    result = detector.detect(text)
    assert result.is_crisis
    spans = [text[m.start : m.end] for m in result.matches]
    assert expected in spans, [m.to_json() for m in result.matches]
    for m in result.matches:
        assert text[m.start : m.end] == m.text


def test_a_past_story_told_in_recovery_is_not_a_crisis(detector: CrisisDetector) -> None:
    assert detector.detect("two years ago I wanted to die").tier == Tier.NONE
    assert detector.detect("I tried to end my life in 2015, sober since").tier == Tier.NONE


def test_pills_ready_tonight_is_imminent(detector: CrisisDetector) -> None:
    result = detector.detect("I've got the pills ready tonight")
    assert result.tier == Tier.IMMINENT
    assert result.category == SUICIDE


@pytest.mark.parametrize(
    ("text", "tier"),
    [
        ("I want to die", Tier.CONCERN),
        ("I want to die tonight", Tier.IMMINENT),
        ("took the whole bottle", Tier.IMMINENT),
        ("back when I was drinking I tried to kill myself", Tier.NONE),
        ("I used to cut myself", Tier.NONE),
        ("I tried to kill myself, I'm sober now", Tier.NONE),
        # recovered, but the crisis is told in the present: stays urgent
        ("I'm two years sober and I want to die", Tier.CONCERN),
        ("two years ago I wanted to die and I still want to", Tier.CONCERN),
    ],
)
def test_time_context(detector: CrisisDetector, text: str, tier: Tier) -> None:
    assert detector.detect(text).tier == tier


def test_negation_is_not_crisis_but_the_rest_of_the_post_is(detector: CrisisDetector) -> None:
    result = detector.detect("I don't want to die. But I want to kill myself.")
    assert [m.text for m in result.matches] == ["kill myself"]


def test_result_shape(detector: CrisisDetector) -> None:
    quiet = detector.detect("Went to a meeting, had a good day.")
    assert quiet == CrisisResult()
    assert (quiet.is_crisis, quiet.shows_help, quiet.category) == (False, False, None)
    assert quiet.tier == Tier.NONE and quiet.reason == ""

    result = detector.detect("He hits me. I want to die tonight.")
    assert result.categories == (SUICIDE, HOME)
    assert result.category == SUICIDE  # the most urgent match decides
    assert result.tier == Tier.IMMINENT and result.is_crisis
    assert result.probability is None  # no learned stage in this detector
    assert all(isinstance(m, CrisisMatch) for m in result.matches)
    assert [m.start for m in result.matches] == sorted(m.start for m in result.matches)
    first = result.matches[0]
    assert (first.category, first.tier, first.start, first.end, first.text) == (
        HOME,
        Tier.CONCERN,
        0,
        10,
        "He hits me",
    )
    assert first.family in detector.families and first.rule
    assert "imminent" in result.reason and "He hits me" in result.reason
    with pytest.raises(AttributeError):
        result.matches[0].tier = Tier.NONE  # type: ignore[misc]


def test_result_json_round_trip(detector: CrisisDetector) -> None:
    result = detector.detect("He hits me. I want to die tonight.")
    stored = json.loads(json.dumps(result.to_json()))
    assert CrisisResult.from_json(stored) == result
    assert stored["tier"] == "imminent" and stored["category"] == "suicide_self_harm"
    assert stored["matches"][0]["text"] == "He hits me"
    model_only = CrisisResult(Tier.POSSIBLE, (), 0.61, "possible: the learned model ...")
    assert CrisisResult.from_json(model_only.to_json()) == model_only
    assert model_only.category == SUICIDE and model_only.shows_help and not model_only.is_crisis


def test_tiers_are_ordered() -> None:
    assert Tier.NONE < Tier.POSSIBLE < Tier.CONCERN < Tier.IMMINENT


def test_detect_accepts_a_list(detector: CrisisDetector) -> None:
    results = detector.detect(["kms", "hello", "he hits me"])
    assert [r.is_crisis for r in results] == [True, False, True]


# --- the phrase file ------------------------------------------------------------------------

MINIMAL_TOML = """
[lists]
drinks = ["tea", "green tea"]

[spellings]
"hlp" = "help"

[families]
sea = "walking into the sea"
spill = "spilling tea on someone"
kettle = "a kettle and a time"

[exclusions]
harm_to_others = ["spill green tea on him by accident"]

[[sign]]
family = "sea"
category = "suicide_self_harm"
tier = "concern"
phrases = ["{need|want} to walk into the sea"]

[[sign]]
family = "spill"
category = "harm_to_others"
tier = "imminent"
phrases = ["going to spill <drinks> on {him|her}"]

[[sign]]
family = "kettle"
category = "harm_to_others"
tier = "concern"
together = ["kettle", "{at noon|at midnight}"]
within = 6
"""


def test_phrase_file_can_be_extended(tmp_path: Path) -> None:
    path = tmp_path / "phrases.toml"
    path.write_text(MINIMAL_TOML, encoding="utf-8")
    detector = CrisisDetector(path, model=None)
    assert detector.detect("I need to walk into the sea").category == SUICIDE
    assert detector.detect("Im going to spill green tea on her").tier == Tier.IMMINENT
    assert detector.detect("going to spill green tea on him by accident").tier == Tier.NONE
    assert detector.detect("I want to die").tier == Tier.NONE  # only the file's phrases count
    found = detector.detect("the kettle, boiling at midnight").matches
    assert [(m.family, m.text) for m in found] == [("kettle", "kettle, boiling at midnight")]
    assert detector.detect("the kettle. and many words later, far too many, at noon").tier == (
        Tier.NONE
    )


def test_default_phrase_file_plus_a_new_phrase(tmp_path: Path) -> None:
    default = CrisisDetector(model=None).phrases_path.read_text(encoding="utf-8")
    extended = default + (
        '\n[[sign]]\nfamily = "ideation"\ncategory = "suicide_self_harm"\ntier = "concern"\n'
        'phrases = ["walk into the {sea|ocean|lake}"]\n'
    )
    path = tmp_path / "phrases.toml"
    path.write_text(extended, encoding="utf-8")
    detector = CrisisDetector(path, model=None)
    assert detector.detect("tonight I'll walk into the sea").tier == Tier.IMMINENT
    assert detector.detect("kms").is_crisis


SIGN = '[families]\nf = "x"\n[[sign]]\nfamily = "f"\ncategory = "suicide_self_harm"\n'


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[suicide_selfharm]\nconcern = ["x"]', "unknown section"),
        (SIGN + 'tier = "concern"\nphrasez = ["x"]', "unknown key"),
        (SIGN + 'tier = "concern"\nphrases = ["{a|b"]', "unclosed"),
        (SIGN + 'tier = "concern"\nphrases = ["<nope> x"]', "unknown list <nope>"),
        (SIGN + 'tier = "concern"\nphrases = ["{a|}"]', "can match nothing"),
        (SIGN + 'tier = "concern"\nphrases = ["re:kms"]', "regular expressions are not"),
        (SIGN + 'tier = "urgent"\nphrases = ["x"]', "tier one of"),
        (SIGN + 'tier = "concern"\nphrases = "kill myself"', "list of strings"),
        (SIGN + 'tier = "concern"\ntogether = ["x"]', "two cues or more"),
        (SIGN + 'tier = "concern"', "either phrases or together"),
        (
            SIGN.replace('family = "f"', 'family = "g"') + 'tier = "concern"\nphrases = ["x"]',
            "not described in \\[families\\]",
        ),
        (
            '[lists]\na = ["<a>"]\n' + SIGN + 'tier = "concern"\nphrases = ["<a>"]',
            "refers to itself",
        ),
    ],
)
def test_bad_phrase_files_fail_clearly(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ValueError, match=message) as info:
        CrisisDetector(path, model=None)
    assert str(path) in str(info.value)


# --- evaluation helpers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("0", False), ("TRUE", True), ("False", False), (" yes ", True), ("No", False)],
)
def test_parse_label(value: str, expected: bool) -> None:
    assert parse_label(value) is expected


def test_read_labelled_csv(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text(
        'text,label,other\n"hello, world",yes,x\nkms,1,y\n"two\nlines",False,z\n', encoding="utf-8"
    )
    assert read_labelled_csv(path, "text", "label") == [
        ("hello, world", True),
        ("kms", True),
        ("two\nlines", False),
    ]


def test_read_labelled_csv_names_the_bad_row(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("text,label\na,1\nb,maybe\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"row 2 \(line 3\).*'maybe'"):
        read_labelled_csv(path, "text", "label")


def test_read_labelled_csv_names_the_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("tweet,intention\na,1\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"no column 'label'.*'tweet', 'intention'"):
        read_labelled_csv(path, "tweet", "label")


def test_binary_metrics_by_hand() -> None:
    truth = [True, True, True, False, False, False, False, False]
    predicted = [True, True, False, True, False, False, False, False]
    metrics = binary_metrics(truth, predicted)
    assert {k: metrics[k] for k in ("tp", "fp", "tn", "fn", "n")} == {
        "tp": 2,
        "fp": 1,
        "tn": 4,
        "fn": 1,
        "n": 8,
    }
    assert metrics["precision"] == pytest.approx(2 / 3)
    assert metrics["recall"] == pytest.approx(2 / 3)
    assert metrics["f1"] == pytest.approx(2 / 3)
    assert metrics["false_positive_rate"] == pytest.approx(1 / 5)
    assert "roc_auc" not in metrics


def test_binary_metrics_undefined_rates_are_none() -> None:
    metrics = binary_metrics([False, False], [False, False], [0.1, 0.2])
    assert metrics["precision"] is None
    assert metrics["recall"] is None
    assert metrics["f1"] is None
    assert metrics["false_positive_rate"] == 0.0
    assert metrics["roc_auc"] is None  # one class only
    with pytest.raises(ValueError):
        binary_metrics([True], [True, False])


def test_roc_auc_with_ties() -> None:
    # positives score 0.8, 0.5; negatives 0.5, 0.2. Pairs: (0.8>0.5)=1, (0.8>0.2)=1,
    # (0.5=0.5)=0.5, (0.5>0.2)=1 -> 3.5 / 4.
    assert roc_auc([True, True, False, False], [0.8, 0.5, 0.5, 0.2]) == pytest.approx(0.875)
    assert roc_auc([True, False], [1.0, 1.0]) == pytest.approx(0.5)
    assert roc_auc([True, False, True], [0.9, 0.1, 0.8]) == pytest.approx(1.0)
    assert roc_auc([True, True], [0.1, 0.2]) is None


def test_roc_auc_agrees_with_sklearn() -> None:
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    truth = [True, False, True, True, False, False, True, False, False, True]
    scores = [3, 0, 2, 2, 2, 0, 1, 1, 0, 3]
    assert roc_auc(truth, scores) == pytest.approx(sklearn_metrics.roc_auc_score(truth, scores))


def test_evaluate_crisis(detector: CrisisDetector) -> None:
    rows = [
        ("I want to die", True),
        ("he hits me", True),
        ("I'm struggling but I went to a meeting", True),
        ("this heat is killing me", False),
        ("kms", False),
    ]
    metrics = evaluate_crisis(detector, rows)
    assert (metrics["tp"], metrics["fn"], metrics["fp"], metrics["tn"]) == (2, 1, 1, 1)
    assert metrics["recall"] == pytest.approx(2 / 3)
    assert metrics["by_category"]["domestic_abuse"] == 1
    assert metrics["by_tier"]["concern texts"] == 3
    assert metrics["by_tier"]["concern+ recall"] == pytest.approx(2 / 3)
    assert metrics["by_tier"]["imminent+ recall"] == 0.0
    assert metrics["by_tier"]["possible+ false_positive_rate"] == pytest.approx(1 / 2)
    assert metrics["false_negatives"] == ["I'm struggling but I went to a meeting"]
    assert metrics["false_positives"] == ["kms"]
    assert 0 <= metrics["roc_auc"] <= 1
