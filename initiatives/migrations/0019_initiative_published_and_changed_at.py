import django.utils.timezone
from django.db import migrations, models


def from_existing_times(apps, schema_editor):
    # The initiatives already there are the founding list (published_at stays empty); their
    # last change is the best-known time they were last saved.
    Initiative = apps.get_model("initiatives", "Initiative")
    Initiative.objects.update(changed_at=models.F("updated_at"))


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0018_initiative_translations")]

    operations = [
        migrations.AddField(
            model_name="initiative",
            name="published_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="When it was first published in the catalogue; empty for the "
                "initiatives of the Coalition's page the catalogue started from.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="initiative",
            name="changed_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                editable=False,
                help_text="When it was published, or its title, description or status last "
                "changed.",
            ),
        ),
        migrations.AddIndex(
            model_name="initiative",
            index=models.Index(fields=["changed_at"], name="initiative_changed_at"),
        ),
        # Last: the update leaves page-cache trigger events pending until commit, and PostgreSQL
        # builds no index on a table that has them.
        migrations.RunPython(from_existing_times, migrations.RunPython.noop),
    ]
