# Indexes in their own migration: PostgreSQL refuses CREATE INDEX in the transaction that
# rewrote the rows (pending deferred-constraint triggers).

import django.contrib.postgres.indexes
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0002_search_vector"),
    ]

    operations = [
        migrations.AddIndex(
            model_name='initiative',
            index=django.contrib.postgres.indexes.GinIndex(fields=['search_vector'], name='initiative_search_gin'),
        ),
        migrations.AddIndex(
            model_name='initiative',
            index=models.Index(fields=['sub_working_group', 'code'], name='initiative_group_code'),
        ),
    ]
