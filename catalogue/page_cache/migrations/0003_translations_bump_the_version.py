"""Staff translations of initiatives are page content too: their writes bump the version (the
triggers of 0002, on the table django-parler keeps them in)."""

from django.db import migrations

CATALOGUE_TABLES = ["initiatives_initiative_translation"]

TRIGGERS = """
CREATE TRIGGER page_cache_changed
AFTER INSERT OR UPDATE OR DELETE ON {schema}.{table}
FOR EACH STATEMENT EXECUTE FUNCTION {schema}.page_cache_mark_changed();
CREATE CONSTRAINT TRIGGER page_cache_version_at_commit
AFTER INSERT OR UPDATE OR DELETE ON {schema}.{table}
DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW EXECUTE FUNCTION {schema}.page_cache_bump_at_commit();
CREATE TRIGGER page_cache_version_truncate
AFTER TRUNCATE ON {schema}.{table}
FOR EACH STATEMENT EXECUTE FUNCTION {schema}.page_cache_bump_now();
"""

DROP_TRIGGERS = """
DROP TRIGGER page_cache_version_truncate ON {schema}.{table};
DROP TRIGGER page_cache_version_at_commit ON {schema}.{table};
DROP TRIGGER page_cache_changed ON {schema}.{table};
"""


def _run(sql):
    def run(apps, schema_editor):
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT quote_ident(current_schema())")
            schema = cursor.fetchone()[0]
            for table in CATALOGUE_TABLES:
                cursor.execute(sql.format(schema=schema, table=table))

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("page_cache", "0002_deferred_version_bump"),
        ("initiatives", "0018_initiative_translations"),
    ]

    operations = [migrations.RunPython(_run(TRIGGERS), _run(DROP_TRIGGERS))]
