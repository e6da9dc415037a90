"""Tokens get a read-only scope and a reason when revoked; tokens that never expired now expire
a year from this migration."""

import datetime as dt

from django.db import migrations, models
from django.utils import timezone


def give_every_token_an_expiry(apps, schema_editor):
    ApiToken = apps.get_model("api", "ApiToken")
    ApiToken.objects.filter(expires_at__isnull=True).update(
        expires_at=timezone.now() + dt.timedelta(days=365)
    )


class Migration(migrations.Migration):
    dependencies = [("api", "0001_api_tokens")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="read_only",
            field=models.BooleanField(
                default=False,
                help_text="Only reads: GET, HEAD and OPTIONS. Anything else is refused.",
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="revoked_reason",
            field=models.CharField(blank=True, max_length=100),
        ),
        migrations.RunPython(give_every_token_an_expiry, migrations.RunPython.noop),
    ]
