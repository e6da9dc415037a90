from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("providers", "0003_provider_location_idx"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="provider",
            name="provider_location_idx",
        ),
        migrations.AddIndex(
            model_name="provider",
            index=models.Index(
                fields=["easting", "northing"],
                include=(
                    "id",
                    "status",
                    "provider_type",
                    "phase",
                    "statutory_low_age",
                    "statutory_high_age",
                    "area",
                    "name",
                ),
                name="provider_location_cover_idx",
            ),
        ),
    ]
