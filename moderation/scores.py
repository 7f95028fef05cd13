"""The value every scorer returns: per-label scores and the model that produced them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Detoxify's labels, standardised the way Detoxify itself names them.
LABELS: tuple[str, ...] = (
    "toxicity",
    "severe_toxicity",
    "obscene",
    "threat",
    "insult",
    "identity_attack",
    "sexual_explicit",
)


@dataclass(frozen=True)
class Scores:
    """Scores in [0, 1] per label, and which model gave them (stored with every score)."""

    model: str
    labels: dict[str, float] = field(default_factory=dict)
    is_fallback: bool = False

    def get(self, label: str) -> float | None:
        return self.labels.get(label)

    def to_json(self) -> dict[str, Any]:
        return {"model": self.model, "labels": self.labels, "is_fallback": self.is_fallback}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Scores:
        return cls(data["model"], dict(data["labels"]), data["is_fallback"])
