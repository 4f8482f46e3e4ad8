"""Benchmarks and the search evaluation: development tools, kept out of the deployed package.

Each module runs on its own (``python -m benchmarks.search``, ``benchmarks.http``,
``benchmarks.registration``, ``benchmarks.relevance``; the Makefile's ``bench…`` and
``evaluate-search`` targets) and may use the development dependencies (tqdm, rank_bm25,
aiosmtpd). Nothing under ``initiatives/`` or ``catalogue/`` imports from here.

Importing the package sets Django up, as ``manage.py`` would, unless that is already done (under
pytest-django, for instance).
"""

import os

import django
from django.apps import apps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "catalogue.settings")
if not apps.ready:
    django.setup()
