"""Schemathesis against the served API's own OpenAPI schema, after the load and the faults:
generated requests (valid and invalid) must get no server error and answers that conform to the
schema."""

import subprocess

import pytest

from tests.reliability import traffic
from tests.reliability.servers import BIN

pytestmark = pytest.mark.reliability

MAX_EXAMPLES = 50
SEED = 20261123  # reproducible: the same cases on every run


def test_the_served_api_conforms_to_its_schema(stack, tmp_path):
    result = subprocess.run(
        [
            str(BIN / "schemathesis"), "run", f"{stack.base}/api/schema/",
            "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED),
            "--checks", "all", "--workers", "2", "--request-timeout", "20",
            "--generation-database", "none", "--no-color",
        ],
        cwd=tmp_path,  # whatever it writes stays in the temp dir
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    output = result.stdout + result.stderr
    print(output[-6000:])  # shown with -s
    assert result.returncode == 0, output[-8000:]
    lines = [line.strip() for line in output.splitlines()]
    cases = lines[lines.index("Test cases:") + 1] if "Test cases:" in lines else "?"
    verdict = next((line.strip("= ") for line in lines if "issues found" in line), "?")
    traffic.REPORT.append(
        f"schemathesis on /api/schema/ (all checks, up to {MAX_EXAMPLES} examples per operation, "
        f"seed {SEED}): {cases}; {verdict}"
    )
