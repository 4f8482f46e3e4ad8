# The two commands a newcomer needs: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PYTHONWARNINGS ?= ignore::DeprecationWarning
# Every database command runs against DATABASE_URL, or the embedded PostgreSQL under .data/.
WITH_DB := $(PY) -m catalogue.embedded_db run --

.PHONY: install run serve setup-db test lint format migrations-check suite lock reset-db stop-db seed-file \
	browser messages messages-update bench bench-registration evaluate-search worker serve reliability \
	bench-http backup restore bench-backup send-alerts

$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

install: $(VENV)/.installed

setup-db: install messages
	$(WITH_DB) $(PY) manage.py migrate --no-input
	$(WITH_DB) $(PY) manage.py load_seeds

# The e-mail worker runs beside the web server, so registrations really go out (into
# .data/outbox/ unless EMAIL_HOST is set), and e-mail alerts are queued every minute (what cron
# does in production); both stop with the server. The links of e-mails sent without a request
# (alerts) point at this server unless SITE_URL is set.
run: setup-db
	$(WITH_DB) bash -c 'export SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}"; \
	  $(PY) manage.py deliver_emails & worker=$$!; \
	  while sleep 60; do $(PY) manage.py send_alerts >/dev/null; done & alerts=$$!; \
	  trap "kill $$worker $$alerts 2>/dev/null" EXIT; $(PY) manage.py runserver 127.0.0.1:$(PORT)'

# Production-style serving on PORT: gunicorn, DEBUG off, compressed static files with hashed
# names, the e-mail worker beside it. Without SECRET_KEY, one is generated once into .data/.
# Plain HTTP on loopback here, so HTTPS redirects and secure-only cookies are off unless set.
# The production environment of `make serve` and `make bench-http` (a shell prefix).
PRODUCTION_ENV := export DJANGO_ENV=production \
	  SECRET_KEY="$${SECRET_KEY:-$$(cat .data/secret_key)}" \
	  ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}" \
	  SECURE_SSL_REDIRECT="$${SECURE_SSL_REDIRECT:-false}" SECURE_COOKIES="$${SECURE_COOKIES:-false}"; \
	  $(PY) manage.py collectstatic --no-input -v0

.data/secret_key:
	@mkdir -p .data && $(PY) -c "import secrets; print(secrets.token_urlsafe(64))" > $@

serve: setup-db .data/secret_key
	$(WITH_DB) bash -c '$(PRODUCTION_ENV) && \
	  { $(PY) manage.py deliver_emails & worker=$$!; trap "kill $$worker 2>/dev/null" EXIT; \
	    $(VENV)/bin/gunicorn catalogue.wsgi -c catalogue/gunicorn.conf.py; }'

# Only the e-mail worker (run one or several beside the web processes).
worker: setup-db
	$(WITH_DB) $(PY) manage.py deliver_emails

# Queue the e-mail alerts that are due (the worker sends them) and purge subscriptions never
# confirmed; production runs it from cron (README, "E-mail alerts").
send-alerts: setup-db
	$(WITH_DB) $(PY) manage.py send_alerts

# A compressed dump of the database (pg_dump custom format, the server's own version) into
# .data/backups/ (BACKUP_DIR), named by UTC time; the newest BACKUP_KEEP (14) are kept.
backup: install
	$(WITH_DB) $(PY) manage.py backup_database

# Replace the database's content with a backup: `make restore BACKUP=path` asks first;
# CONFIRM=yes for scripts. Refuses while an e-mail worker runs; all or nothing.
restore: install
	@test -n "$(BACKUP)" || { echo "Usage: make restore BACKUP=path/to/file.dump [CONFIRM=yes]"; exit 2; }
	$(WITH_DB) $(PY) manage.py restore_database "$(BACKUP)" $(if $(filter yes,$(CONFIRM)),--yes)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: install
	$(WITH_DB) $(PY) manage.py makemigrations --check --dry-run

seed-file: install
	$(PY) manage.py build_seed_file

# The interface's translations: locale/<language>/LC_MESSAGES/django.po (committed) compiled into
# the .mo files Django reads (built here, not committed). Installs Debian's gettext (msgfmt)
# when missing (root needed, as on CI).
messages: install
	@command -v msgfmt >/dev/null || { echo "Installing gettext for the translations"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; }
	$(PY) manage.py compilemessages --ignore=.venv --ignore=.data --ignore=node_modules -v0

# After marking new strings: add them to every language's catalogue, then translate them (the
# suite fails while a string is missing, untranslated or fuzzy: tests/test_translations.py, which
# runs makemessages with these same options).
messages-update: install
	$(PY) manage.py makemessages -l fr -l es -l ru -l ar -l zh_Hans --add-location=file --no-obsolete \
	  -i ".venv/*" -i ".data/*" -i "node_modules/*" -i "benchmarks/*" -i "tests/*" -i "staticfiles/*"

# Browser tests drive Debian's Chromium (Playwright's own browser download is not used).
CHROMIUM ?= /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { echo "Installing Chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

suite: install browser messages
	$(WITH_DB) $(VENV)/bin/pytest $(PYTEST_ARGS)

test: lint migrations-check browser messages
	$(PY) manage.py build_seed_file --check
	$(WITH_DB) $(VENV)/bin/pytest $(PYTEST_ARGS)

# Relevance on the judged query set (tests/search/search_judgments.json), against a BM25 baseline
# (benchmarks/relevance.py; BENCH_ARGS: --per-query, --judgments).
evaluate-search: setup-db
	$(WITH_DB) $(PY) -m benchmarks.relevance $(BENCH_ARGS)

# Search, list, filtered list and detail latency on synthetic catalogues of 1k, 10k and 100k
# initiatives (benchmarks/search.py; BENCH_ARGS: --sizes, --requests, --keep, --reuse, --seed).
bench: setup-db
	$(WITH_DB) $(PY) -m benchmarks.search $(BENCH_ARGS)

# What a registration costs at the form: POST latency with SMTP up, down and hanging
# (benchmarks/registration.py; BENCH_ARGS: --requests, --phases, --keep, --seed).
bench-registration: setup-db
	$(WITH_DB) $(PY) -m benchmarks.registration $(BENCH_ARGS)

# Load and fault runs against gunicorn on loopback (tests/reliability/; not part of `make test`,
# run by CI after it): its own throwaway PostgreSQL cluster, a real SMTP server and two e-mail
# workers, about 3 to 4 min.
# RELIABILITY_LOAD_SECONDS (default 60) sets the load run's length; figures are printed at the end.
reliability: install messages
	$(VENV)/bin/pytest -m reliability tests/reliability -v $(PYTEST_ARGS)

# Requests/s and latency percentiles of the served pages, measured with wrk against `make serve`
# (the same gunicorn and production settings), page cache on, then off. Installs Debian's wrk if
# missing (root needed). benchmarks/http.py; BENCH_ARGS: --duration, --warmup, --connections,
# --threads, --modes, --identity.
bench-http: setup-db .data/secret_key
	@command -v wrk >/dev/null || { echo "Installing wrk for bench-http"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(WITH_DB) bash -c '$(PRODUCTION_ENV) && $(PY) -m benchmarks.http $(BENCH_ARGS)'

# How long `make backup` takes on a synthetic catalogue of 100,000 initiatives, and the file's
# size (benchmarks/backup.py; BENCH_ARGS: --size, --keep, --reuse).
bench-backup: setup-db
	$(WITH_DB) $(PY) -m benchmarks.backup $(BENCH_ARGS)

# Re-pin the whole dependency tree after changing pyproject.toml.
lock:
	rm -rf /tmp/catalogue-lock && $(PYTHON) -m venv /tmp/catalogue-lock
	$(PYTHON) -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
	  print('\n'.join(p['dependencies'] + p['optional-dependencies']['dev']))" > /tmp/catalogue-lock/direct.txt
	/tmp/catalogue-lock/bin/pip install --quiet --disable-pip-version-check -r /tmp/catalogue-lock/direct.txt
	{ echo "# Generated by 'make lock' from pyproject.toml: the whole dependency tree, pinned."; \
	  /tmp/catalogue-lock/bin/pip freeze --exclude-editable | sort -f; } > requirements.lock

stop-db: install
	$(PY) -m catalogue.embedded_db stop

reset-db: stop-db
	rm -rf .data/postgres
