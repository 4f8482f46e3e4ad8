"""Fixtures of the seed tests: the source page, the committed seed file, and writing seed JSON."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from initiatives.seeding.source_parser import parse_source

ROOT = Path(__file__).resolve().parent.parent.parent
SOURCE_FILE = ROOT / "seeds" / "source" / "001_e8db885615b5ffaa.txt"


@pytest.fixture(scope="session")
def parsed_source():
    return parse_source(SOURCE_FILE)


@pytest.fixture(scope="session")
def source_lines():
    return SOURCE_FILE.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="session")
def seed_document():
    return json.loads(settings.SEED_FILE.read_text(encoding="utf-8"))


def write_json(path: Path, document) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
