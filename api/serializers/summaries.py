"""An area's summary: the same numbers as its dashboard."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from api.serializers.base import StrictSerializer, iso_time
from api.serializers.standards import VersionRefSerializer
from dashboards import selectors as dashboard_selectors
from dashboards.tables import Table, export_value


class HeadlineSerializer(serializers.Serializer):
    providers = serializers.IntegerField(help_text="Open providers the standard applies to.")
    declared = serializers.IntegerField(help_text="Of them, those that declared this year.")
    declared_pct = serializers.FloatField(allow_null=True)
    in_progress = serializers.IntegerField(help_text="Declarations started, not submitted.")
    results = serializers.IntegerField(help_text="Providers with a scoring result.")
    musts_met = serializers.IntegerField(help_text="Providers meeting every must requirement.")
    musts_met_pct = serializers.FloatField(allow_null=True)
    average_score = serializers.FloatField(allow_null=True, help_text="0 to 100.")
    open_must_gaps = serializers.IntegerField()


class ColumnSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    kind = serializers.ChoiceField(
        choices=[(k, k) for k in ("text", "count", "pct", "score", "average", "date", "figure")],
        help_text="count: a whole number; pct: a percentage (0 to 100); score, average: out of "
        '100; date: ISO; figure: an official statistic ("not published" when suppressed).',
    )


class TableSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    columns = ColumnSerializer(many=True)
    rows = serializers.ListField(
        child=serializers.DictField(child=serializers.JSONField()),
        help_text="One object per row, keyed by column key.",
    )


class AreaSummarySerializer(serializers.Serializer):
    area = serializers.DictField(child=serializers.CharField(), help_text="code and name.")
    standard = serializers.CharField(allow_null=True, help_text="The standard's slug.")
    version = VersionRefSerializer(allow_null=True)
    period = serializers.CharField(help_text="The academic year reported on.")
    as_at = serializers.DateTimeField(
        allow_null=True, help_text="When the figures were last added up."
    )
    headline = HeadlineSerializer()
    tables = TableSerializer(many=True)


class SummaryParams(StrictSerializer):
    standard = serializers.SlugField(required=False, max_length=100)


def table_data(table: Table) -> dict[str, Any]:
    columns = table.columns
    return {
        "key": table.key,
        "title": table.title,
        "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in columns],
        "rows": [{c.key: _cell(row.get(c.key), c.kind) for c in columns} for row in table.rows],
    }


def _cell(value: Any, kind: str) -> Any:
    if value is None or value == "":
        return None
    return export_value(value, kind)


def summary_data(board: dashboard_selectors.AreaDashboard) -> dict[str, Any]:
    context = board.context
    headline = board.headline
    return {
        "area": {"code": board.area.code, "name": board.area.name},
        "standard": context.standard.slug if context.standard else None,
        "version": VersionRefSerializer(context.version).data if context.version else None,
        "period": context.period,
        "as_at": iso_time(context.as_at),
        "headline": HeadlineSerializer(headline).data,
        "tables": [table_data(t) for t in board.tables.values()],
    }
