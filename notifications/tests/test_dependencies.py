"""The dependency between intake and notifications runs one way: intake's workflows queue sends
through notifications, and notifications reads only intake's models and links, never its
workflows (which would make an import cycle)."""

import ast
from pathlib import Path

NOTIFICATIONS = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_notifications_never_imports_intakes_workflows_or_views():
    offending = {
        f"{path.relative_to(NOTIFICATIONS.parent)}: {module}"
        for path in NOTIFICATIONS.glob("*.py")
        for module in imported_modules(path)
        if module.startswith(("intake.services", "intake.views"))
    }
    assert offending == set()


def test_intake_links_needs_nothing_of_notifications():
    links = NOTIFICATIONS.parent / "intake" / "links.py"
    assert not {m for m in imported_modules(links) if m.startswith("notifications")}
