# The registration models now belong to the ``registrations`` app (initiatives/registrations/),
# which created them in its state (registrations 0001) under the same tables. Here they leave
# this app's state only: no table, row, index or constraint changes.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0014_published_facets_index"),
        ("registrations", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(model_name="outboundemail", name="registration"),
                migrations.DeleteModel(name="RateLimitCounter"),
                migrations.RemoveField(model_name="registration", name="initiatives"),
                migrations.RemoveField(model_name="registrationitem", name="registration"),
                migrations.RemoveField(model_name="registrationitem", name="initiative"),
                migrations.DeleteModel(name="OutboundEmail"),
                migrations.DeleteModel(name="Registration"),
                migrations.DeleteModel(name="RegistrationItem"),
            ],
        ),
    ]
