"""Evaluation helpers shared by every Harbor classifier (crisis language, toxicity, ...).

Why: each detector is judged the same way on labelled data, so the label parsing and the
metrics live here once, with no knowledge of any particular detector and no dependencies
beyond the standard library.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

TRUE_LABELS = frozenset({"1", "true", "yes"})
FALSE_LABELS = frozenset({"0", "false", "no"})


def parse_label(value: str) -> bool:
    """1/true/yes -> True, 0/false/no -> False (any case, surrounding spaces ignored)."""
    cleaned = value.strip().lower()
    if cleaned in TRUE_LABELS:
        return True
    if cleaned in FALSE_LABELS:
        return False
    raise ValueError(f"label {value!r} is not one of 1/0, true/false, yes/no")


def read_labelled_csv(
    path: str | Path, text_column: str, label_column: str
) -> list[tuple[str, bool]]:
    """Read (text, label) pairs from a CSV file with a header row.

    Raises ValueError naming the file and column when a column is missing, and naming the row
    (data row number and line in the file) when a label cannot be read, so a bad file fails
    loudly instead of being scored wrongly.
    """
    path = Path(path)
    rows: list[tuple[str, bool]] = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        missing = [c for c in (text_column, label_column) if c not in columns]
        if missing:
            raise ValueError(
                f"{path}: no column {', '.join(map(repr, missing))}; "
                f"the columns are {', '.join(map(repr, columns)) or '(none: empty file)'}"
            )
        for number, record in enumerate(reader, start=1):
            text, label = record.get(text_column), record.get(label_column)
            if text is None or label is None:
                raise ValueError(
                    f"{path}: row {number} (line {reader.line_num}) has too few fields"
                )
            try:
                rows.append((text, parse_label(label)))
            except ValueError as exc:
                raise ValueError(
                    f"{path}: row {number} (line {reader.line_num}), column {label_column!r}: {exc}"
                ) from None
    return rows


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def roc_auc(truth: Sequence[bool], scores: Sequence[float]) -> float | None:
    """Area under the ROC curve from ranks (Mann-Whitney U), ties counted as half.

    None when only one class is present, since the area is then undefined.
    """
    if len(truth) != len(scores):
        raise ValueError(f"{len(truth)} labels but {len(scores)} scores")
    positives = sum(1 for t in truth if t)
    negatives = len(truth) - positives
    if positives == 0 or negatives == 0:
        return None
    order = sorted(range(len(scores)), key=lambda i: scores[i])
    rank_sum = 0.0
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and scores[order[j + 1]] == scores[order[i]]:
            j += 1
        average_rank = (i + j) / 2 + 1  # ranks are 1-based; tied scores share the mean rank
        rank_sum += average_rank * sum(1 for k in order[i : j + 1] if truth[k])
        i = j + 1
    return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives)


def binary_metrics(
    truth: Sequence[bool],
    predicted: Sequence[bool],
    scores: Sequence[float] | None = None,
) -> dict:
    """Counts and rates for a yes/no classifier.

    Returns tp, fp, tn, fn, n, precision, recall, f1, false_positive_rate and, when scores
    are given, roc_auc. A rate whose denominator is zero is None rather than a made-up 0.
    """
    if len(truth) != len(predicted):
        raise ValueError(f"{len(truth)} labels but {len(predicted)} predictions")
    tp = sum(1 for t, p in zip(truth, predicted, strict=True) if t and p)
    fp = sum(1 for t, p in zip(truth, predicted, strict=True) if not t and p)
    fn = sum(1 for t, p in zip(truth, predicted, strict=True) if t and not p)
    tn = len(truth) - tp - fp - fn
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    f1 = _ratio(2 * tp, 2 * tp + fp + fn)
    metrics: dict = {
        "n": len(truth),
        "tp": tp,
        "fp": fp,
        "tn": tn,
        "fn": fn,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "false_positive_rate": _ratio(fp, fp + tn),
    }
    if scores is not None:
        metrics["roc_auc"] = roc_auc(truth, scores)
    return metrics


def misclassified(
    rows: Sequence[tuple[str, bool]], predicted: Sequence[bool], limit: int = 10
) -> dict[str, list[str]]:
    """Up to ``limit`` texts of each kind of mistake, to show a person what went wrong."""
    if len(rows) != len(predicted):
        raise ValueError(f"{len(rows)} rows but {len(predicted)} predictions")
    mistakes: dict[str, list[str]] = {"false_positives": [], "false_negatives": []}
    for (text, truth), guess in zip(rows, predicted, strict=True):
        if truth != guess:
            kind = mistakes["false_negatives" if truth else "false_positives"]
            if len(kind) < limit:
                kind.append(text)
    return mistakes
