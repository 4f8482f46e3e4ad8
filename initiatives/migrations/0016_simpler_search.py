"""The search without its synthetic-scale machinery.

The phrase words (migration 0012), the vocabulary kept by triggers (0013), the narrow
``search_head`` vector and the partial indexes that served them are gone: the real catalogue is
searched with one GIN-indexed ``search_vector``, and its vocabulary is read with ``ts_stat()``
once per catalogue version. The vector is rebuilt with the one accent-folding table that queries
use too (``initiatives.search.text``).
"""

import importlib

import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.db import migrations, models

phrases = importlib.import_module("initiatives.migrations.0012_indexed_phrases")
vocabulary = importlib.import_module("initiatives.migrations.0013_search_vocabulary")


def drop_triggers(apps, schema_editor):
    vocabulary.drop_triggers(apps, schema_editor)
    phrases.drop_trigger(apps, schema_editor)


def create_triggers(apps, schema_editor):
    phrases.create_trigger(apps, schema_editor)
    vocabulary.create_triggers(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0015_move_registrations_to_their_app"),
    ]

    operations = [
        migrations.RunPython(drop_triggers, create_triggers),
        migrations.DeleteModel(name="SearchPhrase"),
        migrations.DeleteModel(name="SearchWord"),
        migrations.DeleteModel(name="SearchWordChange"),
        migrations.RemoveIndex(model_name="initiative", name="initiative_published_status"),
        migrations.RemoveIndex(model_name="initiative", name="initiative_published_regions"),
        migrations.RemoveIndex(model_name="initiative", name="initiative_search_head_gin"),
        migrations.RemoveIndex(model_name="initiative", name="initiative_published_facets"),
        migrations.RemoveIndex(model_name="initiative", name="initiative_search_gin"),
        # Generated columns before the columns they are generated from.
        migrations.RemoveField(model_name="initiative", name="search_vector"),
        migrations.RemoveField(model_name="initiative", name="search_head"),
        migrations.RemoveField(model_name="initiative", name="search_head_phrases"),
        migrations.RemoveField(model_name="initiative", name="search_phrases"),
        migrations.AddField(
            model_name="initiative",
            name="search_vector",
            field=models.GeneratedField(db_persist=True, expression=django.contrib.postgres.search.CombinedSearchVector(django.contrib.postgres.search.CombinedSearchVector(django.contrib.postgres.search.SearchVector(models.Func(models.Func(models.F('title'), function='LOWER', output_field=models.TextField()), models.Value('àáâãäåāăąçćčďđèéêëēĕėęěğģìíîïĩīĭįıķľĺłļñńňņòóôõöøōŏőŕřŗśšşșťţțùúûüũūŭůűųýÿźżž'), models.Value('aaaaaaaaacccddeeeeeeeeeggiiiiiiiiikllllnnnnooooooooorrrsssstttuuuuuuuuuuyyzzz'), function='TRANSLATE', output_field=models.TextField()), config='english', weight='A'), '||', django.contrib.postgres.search.SearchVector(models.Func(models.Func(models.F('search_keywords'), function='LOWER', output_field=models.TextField()), models.Value('àáâãäåāăąçćčďđèéêëēĕėęěğģìíîïĩīĭįıķľĺłļñńňņòóôõöøōŏőŕřŗśšşșťţțùúûüũūŭůűųýÿźżž'), models.Value('aaaaaaaaacccddeeeeeeeeeggiiiiiiiiikllllnnnnooooooooorrrsssstttuuuuuuuuuuyyzzz'), function='TRANSLATE', output_field=models.TextField()), config='english', weight='B'), django.contrib.postgres.search.SearchConfig('english')), '||', django.contrib.postgres.search.SearchVector(models.Func(models.Func(models.F('description'), function='LOWER', output_field=models.TextField()), models.Value('àáâãäåāăąçćčďđèéêëēĕėęěğģìíîïĩīĭįıķľĺłļñńňņòóôõöøōŏőŕřŗśšşșťţțùúûüũūŭůűųýÿźżž'), models.Value('aaaaaaaaacccddeeeeeeeeeggiiiiiiiiikllllnnnnooooooooorrrsssstttuuuuuuuuuuyyzzz'), function='TRANSLATE', output_field=models.TextField()), config='english', weight='C'), django.contrib.postgres.search.SearchConfig('english')), output_field=django.contrib.postgres.search.SearchVectorField()),
        ),
        migrations.AddIndex(
            model_name="initiative",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search_vector"], name="initiative_search_gin"
            ),
        ),
    ]
