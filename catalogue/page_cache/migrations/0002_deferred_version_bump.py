"""The catalogue version is bumped at commit, not at each write.

0001's statement triggers rewrote the one version row on every write, so each writing
transaction held that row's lock until it ended: catalogue writes were serialized, and two
transactions locking catalogue rows in opposite orders could deadlock through it. Now:

- a statement trigger only marks the transaction as having changed the catalogue (a
  transaction-local setting, no lock);
- a deferred constraint trigger bumps the version once, at commit, still inside the writing
  transaction (so no reader ever sees new data under the old token or old data under the new);
- TRUNCATE, which constraint triggers cannot watch, bumps at once (it locks the table anyway);
- a reader whose own transaction has unbumped changes bumps first (the middleware reads the
  version with ``page_cache_current_version()``), so a page rendered from them is never stored
  under the old token (this only happens inside a transaction, e.g. in tests).
"""

from django.db import migrations

# As in 0001; tests/test_page_cache.py checks that no catalogue table is missing.
CATALOGUE_TABLES = [
    "initiatives_workinggroup",
    "initiatives_subworkinggroup",
    "initiatives_organization",
    "initiatives_contact",
    "initiatives_initiative",
    "initiatives_initiative_partner_organizations",
]

FUNCTIONS = """
CREATE FUNCTION {schema}.page_cache_bump() RETURNS text LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    new_token text := md5(random()::text || clock_timestamp()::text);
BEGIN
    PERFORM set_config('page_cache.dirty', '0', true);
    INSERT INTO {schema}.page_cache_catalogueversion (id, token, changed_at)
    VALUES (1, new_token, clock_timestamp())
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token, changed_at = EXCLUDED.changed_at;
    RETURN new_token;
END
$$;

CREATE FUNCTION {schema}.page_cache_current_version() RETURNS text LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF current_setting('page_cache.dirty', true) = '1' THEN
        RETURN {schema}.page_cache_bump();
    END IF;
    RETURN (SELECT token FROM {schema}.page_cache_catalogueversion WHERE id = 1);
END
$$;

CREATE FUNCTION {schema}.page_cache_mark_changed() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM set_config('page_cache.dirty', '1', true);
    RETURN NULL;
END
$$;

CREATE FUNCTION {schema}.page_cache_bump_at_commit() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    -- Once per transaction: the first deferred row event bumps and clears the mark.
    IF current_setting('page_cache.dirty', true) = '1' THEN
        PERFORM {schema}.page_cache_bump();
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION {schema}.page_cache_bump_now() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    PERFORM {schema}.page_cache_bump();
    RETURN NULL;
END
$$;
"""

DROP_FUNCTIONS = """
DROP FUNCTION {schema}.page_cache_bump_now();
DROP FUNCTION {schema}.page_cache_bump_at_commit();
DROP FUNCTION {schema}.page_cache_mark_changed();
DROP FUNCTION {schema}.page_cache_current_version();
DROP FUNCTION {schema}.page_cache_bump();
"""

TRIGGERS = """
DROP TRIGGER page_cache_version ON {schema}.{table};
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

# 0001's function, for going back (0001's reverse drops it).
OLD_FUNCTION = """
CREATE FUNCTION {schema}.page_cache_bump_version() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO {schema}.page_cache_catalogueversion (id, token, changed_at)
    VALUES (1, md5(random()::text || clock_timestamp()::text), clock_timestamp())
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token, changed_at = EXCLUDED.changed_at;
    RETURN NULL;
END
$$;
"""

OLD_TRIGGERS = """
DROP TRIGGER page_cache_version_truncate ON {schema}.{table};
DROP TRIGGER page_cache_version_at_commit ON {schema}.{table};
DROP TRIGGER page_cache_changed ON {schema}.{table};
CREATE TRIGGER page_cache_version
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {schema}.{table}
FOR EACH STATEMENT EXECUTE FUNCTION {schema}.page_cache_bump_version();
"""


def _schema(cursor) -> str:
    # The schema the tables were created in, written into the functions, so a caller's
    # search_path can neither hide the version table nor substitute another one.
    cursor.execute("SELECT quote_ident(current_schema())")
    return cursor.fetchone()[0]


def forwards(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        schema = _schema(cursor)
        cursor.execute(FUNCTIONS.format(schema=schema))
        for table in CATALOGUE_TABLES:
            cursor.execute(TRIGGERS.format(schema=schema, table=table))
        cursor.execute(f"DROP FUNCTION {schema}.page_cache_bump_version();")


def backwards(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        schema = _schema(cursor)
        cursor.execute(OLD_FUNCTION.format(schema=schema))
        for table in CATALOGUE_TABLES:
            cursor.execute(OLD_TRIGGERS.format(schema=schema, table=table))
        cursor.execute(DROP_FUNCTIONS.format(schema=schema))


class Migration(migrations.Migration):
    dependencies = [("page_cache", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
