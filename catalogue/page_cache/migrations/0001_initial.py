from django.db import migrations, models

# Every table whose rows the public list, detail and API pages show (not the history or the
# registration tables). tests/test_page_cache.py checks that no catalogue table is missing.
CATALOGUE_TABLES = [
    "initiatives_workinggroup",
    "initiatives_subworkinggroup",
    "initiatives_organization",
    "initiatives_contact",
    "initiatives_initiative",
    "initiatives_initiative_partner_organizations",
]

FUNCTION = """
CREATE FUNCTION page_cache_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO page_cache_catalogueversion (id, token, changed_at)
    VALUES (1, md5(random()::text || clock_timestamp()::text), clock_timestamp())
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token, changed_at = EXCLUDED.changed_at;
    RETURN NULL;
END
$$;
"""

TRIGGER = """
CREATE TRIGGER page_cache_version
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
FOR EACH STATEMENT EXECUTE FUNCTION page_cache_bump_version();
"""


class Migration(migrations.Migration):
    initial = True

    dependencies = [("initiatives", "0009_code_validators")]

    operations = [
        migrations.CreateModel(
            name="CatalogueVersion",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False),
                ),
                ("token", models.CharField(max_length=32)),
                ("changed_at", models.DateTimeField()),
            ],
            options={"verbose_name": "catalogue version"},
        ),
        migrations.RunSQL(FUNCTION, "DROP FUNCTION page_cache_bump_version();"),
        *[
            migrations.RunSQL(
                TRIGGER.format(table=table), f"DROP TRIGGER page_cache_version ON {table};"
            )
            for table in CATALOGUE_TABLES
        ],
        migrations.RunSQL(
            "INSERT INTO page_cache_catalogueversion (id, token, changed_at) "
            "VALUES (1, md5(random()::text), now()) ON CONFLICT (id) DO NOTHING;",
            migrations.RunSQL.noop,
        ),
    ]
