"""The README keeps its promises to a newcomer: every dependency explained, every demo login
listed (and real), every setting of .env.example described."""

import re
from pathlib import Path

from clinic import demo

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def section(title: str) -> str:
    start = README.index(f"## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start : end if end != -1 else None]


def requirement_names(path: Path) -> set[str]:
    names = set()
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            names.add(re.split(r"[\[=<>~! ]", line, maxsplit=1)[0].lower().replace("_", "-"))
    return names


def test_every_pinned_dependency_is_explained_in_the_readme():
    explained = section("Dependencies").lower().replace("_", "-")
    pinned = requirement_names(ROOT / "requirements.txt") | requirement_names(
        ROOT / "requirements-dev.txt"
    )
    assert pinned, "no requirements found"
    missing = {
        name for name in pinned if not re.search(rf"(?<![\w-]){re.escape(name)}\b", explained)
    }
    assert missing == set(), "say in README.md, Dependencies, why these are needed"


def test_every_demo_login_is_listed_in_the_readme_and_by_make_run():
    makefile = (ROOT / "Makefile").read_text()
    logins = {p.email for spec in demo.DEMO_CLINICS.values() for p in spec["staff"]}
    logins.add(demo.DEMO_PATIENT.email)
    listed = set(re.findall(r"`([\w.]+@[\w.]+\.example)`", section("Two commands")))
    printed = set(re.findall(r"echo \"\s+([\w.]+@[\w.]+\.example)", makefile))
    assert listed == printed, "README and `make run` should list the same demo logins"
    assert listed <= logins, "README lists a login the demo does not create"
    required = {
        "admin@demo.example",
        "therapist@demo.example",
        "patient@demo.example",
        "coach@demo.example",
        "nutritionist@demo.example",
        "therapist@riverside.example",
    }
    assert required <= listed
    assert f"`{demo.DEMO_PASSWORD}`" in section("Two commands")


def test_every_setting_of_env_example_is_described():
    described = section("Configuration")
    names = re.findall(r"(?m)^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text())
    assert names
    assert [n for n in names if f"`{n}`" not in described] == []
