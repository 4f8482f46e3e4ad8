"""The search vocabulary kept up to date by triggers instead of read from every initiative.

Reading it with ts_stat() over every published initiative's text took 26 to 60 seconds at
100,000 initiatives, in the request that needed it, after every catalogue edit (longer than a
web worker may take). Now statement triggers record, for each insert, update or delete, how
many more or fewer published initiatives use each word (``SearchWordChange``, insert-only, so
writers never wait on one another); ``search.spelling`` folds those changes into
``SearchWord`` when it reads the vocabulary.
"""

from django.db import migrations, models

# As initiatives/search/document.py (translate() has no unaccent to rely on).
ACCENTED = "àáâãäåāăąçćčďèéêëēĕėęěìíîïĩīĭįñńňòóôõöøōŏőùúûüũūŭůűųýÿźżžśšşťţŕřľĺłğ"
PLAIN = "aaaaaaaaacccdeeeeeeeeeiiiiiiiinnnooooooooouuuuuuuuuuyyzzzsssttrrlllg"

FUNCTIONS = """
CREATE FUNCTION {schema}.initiatives_vocabulary_words(title text, keywords text, description text)
RETURNS SETOF text LANGUAGE sql IMMUTABLE
SET search_path = pg_catalog, pg_temp AS $$
    SELECT word FROM unnest(tsvector_to_array(to_tsvector('simple'::regconfig,
        translate(lower(title || ' ' || keywords || ' ' || description), '{accented}', '{plain}')
    ))) AS word
    WHERE length(word) >= 3 AND word ~ '^[a-z]+$'
$$;

CREATE FUNCTION {schema}.initiatives_vocabulary_changes() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO {schema}.initiatives_searchwordchange (word, change)
        SELECT word, count(*)
        FROM new_rows r, {schema}.initiatives_vocabulary_words(r.title, r.search_keywords, r.description) AS word
        WHERE r.is_published GROUP BY word;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO {schema}.initiatives_searchwordchange (word, change)
        SELECT word, -count(*)
        FROM old_rows r, {schema}.initiatives_vocabulary_words(r.title, r.search_keywords, r.description) AS word
        WHERE r.is_published GROUP BY word;
    ELSE
        -- Only rows whose text or publication changed (most updates touch neither).
        INSERT INTO {schema}.initiatives_searchwordchange (word, change)
        SELECT word, sum(change) FROM (
            SELECT word, -1 AS change
            FROM old_rows o JOIN new_rows n USING (id),
                 {schema}.initiatives_vocabulary_words(o.title, o.search_keywords, o.description) AS word
            WHERE o.is_published
              AND (o.title, o.search_keywords, o.description, o.is_published)
                  IS DISTINCT FROM (n.title, n.search_keywords, n.description, n.is_published)
            UNION ALL
            SELECT word, 1
            FROM old_rows o JOIN new_rows n USING (id),
                 {schema}.initiatives_vocabulary_words(n.title, n.search_keywords, n.description) AS word
            WHERE n.is_published
              AND (o.title, o.search_keywords, o.description, o.is_published)
                  IS DISTINCT FROM (n.title, n.search_keywords, n.description, n.is_published)
        ) changes GROUP BY word HAVING sum(change) <> 0;
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION {schema}.initiatives_vocabulary_cleared() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    DELETE FROM {schema}.initiatives_searchwordchange;
    DELETE FROM {schema}.initiatives_searchword;
    RETURN NULL;
END
$$;

CREATE TRIGGER initiatives_vocabulary_inserted AFTER INSERT ON {schema}.initiatives_initiative
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION {schema}.initiatives_vocabulary_changes();
CREATE TRIGGER initiatives_vocabulary_updated AFTER UPDATE ON {schema}.initiatives_initiative
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION {schema}.initiatives_vocabulary_changes();
CREATE TRIGGER initiatives_vocabulary_deleted AFTER DELETE ON {schema}.initiatives_initiative
REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION {schema}.initiatives_vocabulary_changes();
CREATE TRIGGER initiatives_vocabulary_truncated AFTER TRUNCATE ON {schema}.initiatives_initiative
FOR EACH STATEMENT EXECUTE FUNCTION {schema}.initiatives_vocabulary_cleared();

INSERT INTO {schema}.initiatives_searchword (word, documents, stem)
SELECT word, count(*), coalesce((ts_lexize('english_stem', word))[1], '')
FROM {schema}.initiatives_initiative r,
     {schema}.initiatives_vocabulary_words(r.title, r.search_keywords, r.description) AS word
WHERE r.is_published GROUP BY word;
"""

DROP = """
DROP TRIGGER initiatives_vocabulary_inserted ON {schema}.initiatives_initiative;
DROP TRIGGER initiatives_vocabulary_updated ON {schema}.initiatives_initiative;
DROP TRIGGER initiatives_vocabulary_deleted ON {schema}.initiatives_initiative;
DROP TRIGGER initiatives_vocabulary_truncated ON {schema}.initiatives_initiative;
DROP FUNCTION {schema}.initiatives_vocabulary_cleared();
DROP FUNCTION {schema}.initiatives_vocabulary_changes();
DROP FUNCTION {schema}.initiatives_vocabulary_words(text, text, text);
"""


def _schema(cursor) -> str:
    cursor.execute("SELECT quote_ident(current_schema())")
    return cursor.fetchone()[0]


def create_triggers(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(FUNCTIONS.format(schema=_schema(cursor), accented=ACCENTED, plain=PLAIN))


def drop_triggers(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(DROP.format(schema=_schema(cursor)))


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0012_indexed_phrases"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                ("word", models.TextField(primary_key=True, serialize=False)),
                ("documents", models.IntegerField()),
                (
                    "stem",
                    models.TextField(
                        blank=True, help_text="As the index stems it; empty: a stop word."
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="SearchWordChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("word", models.TextField()),
                ("change", models.IntegerField()),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
