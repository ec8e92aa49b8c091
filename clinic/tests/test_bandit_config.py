"""`make test` runs bandit; every finding it is told to skip says why, on the line itself."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIPPED = {".venv", "staticfiles", "artifacts", "tests", "bench"}  # as bandit skips them
# `# nosec B603 - fixed arguments, our own manage.py`: a test id, then a reason of a few words.
EXPLAINED = re.compile(r"#\s*nosec\s+B\d{3}(,\s*B\d{3})*\s+[-—:]\s+\w+(\s+\w+){2,}")


def project_files():
    for path in ROOT.rglob("*.py"):
        if not SKIPPED.intersection(path.relative_to(ROOT).parts):
            yield path


def test_every_nosec_names_the_check_and_says_why():
    unexplained = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in project_files()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "nosec" in line and not EXPLAINED.search(line)
    ]
    assert unexplained == []


def test_bandit_is_configured_to_skip_only_tests_benchmarks_and_build_output():
    config = (ROOT / "pyproject.toml").read_text()
    skipped = '[".venv", "staticfiles", "artifacts", "*/tests/*", "bench"]'
    why = "# bench/ builds throwaway databases from its own SQL and never runs in the product."
    assert f"[tool.bandit]\n{why}\nexclude_dirs = {skipped}" in config
    assert "bandit -c pyproject.toml -r . -ll" in (ROOT / "Makefile").read_text()
