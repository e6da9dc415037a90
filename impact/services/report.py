"""The report of a finished preview, worked out once from its rows and kept on the preview."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from impact.models import ImpactPreview, ProviderImpact
from providers.models import Area
from standards.vocabulary import ProviderType


@dataclass
class Group:
    """How one group of providers' results would move."""

    providers: int = 0
    new_results: int = 0  # no result on the published version yet
    up: int = 0
    down: int = 0
    same: int = 0
    gain_musts: int = 0
    lose_musts: int = 0
    changes: list[float] = field(default_factory=list)

    def add(self, old: float | None, new: float, old_musts: bool | None, new_musts: bool) -> None:
        self.providers += 1
        if old is None:
            self.new_results += 1
            return
        change = round(new - old, 6)
        self.changes.append(change)
        if change > 0:
            self.up += 1
        elif change < 0:
            self.down += 1
        else:
            self.same += 1
        if new_musts and not old_musts:
            self.gain_musts += 1
        elif old_musts and not new_musts:
            self.lose_musts += 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "providers": self.providers,
            "new_results": self.new_results,
            "up": self.up,
            "down": self.down,
            "same": self.same,
            "median_change": round(statistics.median(self.changes), 2) if self.changes else None,
            "gain_musts": self.gain_musts,
            "lose_musts": self.lose_musts,
        }


def build_report(preview: ImpactPreview) -> dict[str, Any]:
    facts = preview.draft
    layouts: dict[str, list[str]] = facts.get("layouts", {})
    requirements: dict[str, list[Any]] = facts.get("requirements", {})
    total = Group()
    by_area: dict[int | None, Group] = defaultdict(Group)
    by_type: dict[str, Group] = defaultdict(Group)
    gaps: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"opened": 0, "reopened": 0, "resolved": 0, "superseded": 0, "reasons": {}}
    )
    passes: dict[str, int] = defaultdict(int)
    applicable: dict[str, int] = defaultdict(int)
    rows = ProviderImpact.objects.filter(preview=preview).values_list(
        "provider_type",
        "area_id",
        "old_score",
        "new_score",
        "old_all_musts_met",
        "new_all_musts_met",
        "outcomes",
        "opened",
        "reopened",
        "resolved",
        "superseded",
    )
    for (
        provider_type,
        area_id,
        old,
        new,
        old_musts,
        new_musts,
        outcomes,
        opened,
        reopened,
        resolved,
        superseded,
    ) in rows.iterator(chunk_size=5000):
        for group in (total, by_area[area_id], by_type[provider_type]):
            group.add(old, new, old_musts, new_musts)
        keys = layouts.get(provider_type, [])
        for key, code in zip(keys, outcomes, strict=False):
            applicable[key] += 1
            if code == "p":
                passes[key] += 1
        for name, keys_changed in (
            ("opened", opened),
            ("reopened", reopened),
            ("resolved", resolved),
        ):
            for key in keys_changed or ():
                gaps[key][name] += 1
        for key, reason in (superseded or {}).items():
            gaps[key]["superseded"] += 1
            gaps[key]["reasons"][reason] = gaps[key]["reasons"].get(reason, 0) + 1
    for key, reasons in (preview.other_superseded or {}).items():
        for reason, n in reasons.items():
            gaps[key]["superseded"] += n
            gaps[key]["reasons"][reason] = gaps[key]["reasons"].get(reason, 0) + n

    areas = {a.pk: a for a in Area.objects.filter(pk__in=[k for k in by_area if k is not None])}
    type_labels = dict(ProviderType.choices)

    def title(key: str) -> str:
        return requirements[key][0] if key in requirements else ""

    def strength(key: str) -> str:
        return requirements[key][1] if key in requirements else ""

    questions = facts.get("questions", {})
    return {
        "total": total.as_dict(),
        "by_area": sorted(
            (
                {
                    "name": areas[k].name if k in areas else "No area",
                    "code": areas[k].code if k in areas else "",
                    **g.as_dict(),
                }
                for k, g in by_area.items()
            ),
            key=lambda r: r["name"],
        ),
        "by_type": sorted(
            ({"name": type_labels.get(k, k), "code": k, **g.as_dict()} for k, g in by_type.items()),
            key=lambda r: r["name"],
        ),
        "gaps": [
            {
                "key": key,
                "title": title(key),
                "strength": strength(key),
                "opened": g["opened"],
                "reopened": g["reopened"],
                "resolved": g["resolved"],
                "superseded": g["superseded"],
                "reasons": sorted(g["reasons"]),
            }
            for key, g in sorted(gaps.items())
        ],
        "gap_totals": {
            name: sum(g[name] for g in gaps.values())
            for name in ("opened", "reopened", "resolved", "superseded")
        },
        "answers_to_check": [
            {
                "key": key,
                "title": title(key),
                "change": "New question" if change == "new" else "Changed question",
                "providers": applicable.get(key, 0),
            }
            for key, change in questions.items()
        ],
        "unpassable": [
            {
                "key": key,
                "title": title(key),
                "strength": strength(key),
                "providers": applicable.get(key, 0),
            }
            for key in requirements
            if not passes.get(key)
        ],
    }
