"""Every token has an expiry (0002 gave one to those without)."""

from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):
    dependencies = [("api", "0002_token_expiry_and_scope")]

    operations = [
        migrations.RemoveConstraint(model_name="apitoken", name="api_token_expires_after_creation"),
        migrations.AlterField(
            model_name="apitoken", name="expires_at", field=models.DateTimeField()
        ),
        migrations.AddConstraint(
            model_name="apitoken",
            constraint=models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="api_token_expires_after_creation",
            ),
        ),
    ]
