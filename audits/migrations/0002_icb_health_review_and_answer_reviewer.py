"""An ICB's review of the health answers is kept apart from the area's review of the whole
declaration, and each reviewed answer records who reviewed it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def reviewed_by_the_area(apps, schema_editor):
    # Until now every review was recorded as the area's: keep it so.
    Answer = apps.get_model("audits", "Answer")
    Answer.objects.exclude(review_state="self_declared").update(reviewed_as="area")


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0001_declarations"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="answer",
            name="reviewed_as",
            field=models.CharField(
                blank=True,
                choices=[("area", "Local authority"), ("icb", "Integrated care board")],
                db_default="",
                default="",
                max_length=4,
            ),
        ),
        migrations.AddField(
            model_name="answer",
            name="reviewed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="declaration",
            name="health_review_comment",
            field=models.TextField(blank=True, db_default="", default=""),
        ),
        migrations.AddField(
            model_name="declaration",
            name="health_review_status",
            field=models.CharField(
                choices=[
                    ("not_reviewed", "Not reviewed"),
                    ("accepted", "Accepted"),
                    ("returned", "Returned for changes"),
                ],
                db_default="not_reviewed",
                default="not_reviewed",
                max_length=14,
            ),
        ),
        migrations.AddField(
            model_name="declaration",
            name="health_reviewed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="declaration",
            name="health_reviewed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(reviewed_by_the_area, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="answer",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("review_state", "self_declared"), ("reviewed_as", "")),
                    models.Q(
                        models.Q(("review_state", "self_declared"), _negated=True),
                        ("reviewed_as__in", ["area", "icb"]),
                    ),
                    _connector="OR",
                ),
                name="reviewed_answer_names_reviewer",
            ),
        ),
        migrations.AddConstraint(
            model_name="declaration",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("health_review_status", "not_reviewed"),
                    ("status", "submitted"),
                    _connector="OR",
                ),
                name="only_submitted_declarations_are_health_reviewed",
            ),
        ),
    ]
