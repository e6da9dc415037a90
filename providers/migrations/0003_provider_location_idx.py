from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("providers", "0002_provider_ages_and_location"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="provider",
            index=models.Index(fields=["easting", "northing"], name="provider_location_idx"),
        ),
    ]
