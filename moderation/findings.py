"""What the checks found in one submission, as typed values that survive storage unchanged.

Findings are computed afresh for every submit and every edit (`Checks.examine`), stored with
the text they describe, and read back as the same types: nothing is re-parsed from loose dicts
or found again from part of the text later.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from moderation.crisis import CrisisDetector, CrisisResult
from moderation.identifying import IdentifyingDetail, find_identifying_details
from moderation.scores import Scores
from moderation.submission import Field, Submission


@dataclass(frozen=True)
class FoundDetail:
    """An identifying detail and the field it is in (its span points into that field)."""

    field: Field
    detail: IdentifyingDetail

    def to_json(self) -> dict[str, Any]:
        detail = self.detail
        return {
            "field": self.field.value,
            "kind": detail.kind,
            "start": detail.start,
            "end": detail.end,
            "text": detail.text,
            "why": detail.why,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FoundDetail:
        detail = IdentifyingDetail(
            data["kind"], data["start"], data["end"], data["text"], data["why"]
        )
        return cls(Field(data["field"]), detail)


@dataclass(frozen=True)
class Findings:
    """Crisis language, identifying details and (once scored) the model's scores."""

    crisis: CrisisResult = CrisisResult()
    identifying: tuple[FoundDetail, ...] = ()
    scores: Scores | None = None

    @property
    def identifying_kinds(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(found.detail.kind for found in self.identifying))

    def details_in(self, field: Field) -> list[IdentifyingDetail]:
        return [found.detail for found in self.identifying if found.field == field]

    def with_scores(self, scores: Scores) -> Findings:
        return replace(self, scores=scores)

    def to_json(self) -> dict[str, Any]:
        return {
            "crisis": self.crisis.to_json(),
            "identifying": [found.to_json() for found in self.identifying],
            "scores": self.scores.to_json() if self.scores else None,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Findings:
        return cls(
            crisis=CrisisResult.from_json(data["crisis"]),
            identifying=tuple(FoundDetail.from_json(found) for found in data["identifying"]),
            scores=Scores.from_json(data["scores"]) if data.get("scores") else None,
        )


class Checks:
    """The fast checks every submission gets at once, before any model scores it.

    Built once per process (the phrase lists compile once); `examine` is then pure and safe
    to share between threads.
    """

    def __init__(self, crisis: CrisisDetector | None = None) -> None:
        self.crisis = crisis or CrisisDetector()

    def examine(self, submission: Submission) -> Findings:
        identifying = tuple(
            FoundDetail(field, detail)
            for field, text in submission.fields()
            for detail in find_identifying_details(text)
        )
        return Findings(crisis=self.crisis.detect(submission.text), identifying=identifying)
