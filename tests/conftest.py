import json
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from initiatives.seeding.loader import load_seed_file
from initiatives.seeding.source_parser import parse_source

ROOT = Path(__file__).resolve().parent.parent
SOURCE_FILE = ROOT / "seeds" / "source" / "001_e8db885615b5ffaa.txt"
SAMPLE_SEED = ROOT / "fixtures" / "sample_seed.json"


@pytest.fixture(scope="session")
def parsed_source():
    return parse_source(SOURCE_FILE)


@pytest.fixture(scope="session")
def source_lines():
    return SOURCE_FILE.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="session")
def seed_document():
    return json.loads(settings.SEED_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def catalogue(db):
    """The real seed file loaded into the test's transaction (rolled back afterwards)."""
    return load_seed_file(settings.SEED_FILE)


@pytest.fixture
def sample_seed(tmp_path):
    """A writable copy of the small sample seed file and its parsed content."""
    path = tmp_path / "seed.json"
    shutil.copy(SAMPLE_SEED, path)
    return path, json.loads(path.read_text(encoding="utf-8"))


def write_json(path: Path, document) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
