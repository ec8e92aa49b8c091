"""The rules package stays pure: importing any of its modules loads no Django and no project app."""

import pkgutil
import subprocess
import sys

import rehab.rules


def test_every_rules_module_imports_without_django():
    names = sorted(m.name for m in pkgutil.iter_modules(rehab.rules.__path__))
    assert {"alerts", "load", "progression", "schedule", "content"} <= set(names)
    code = (
        "import sys\n"
        + "".join(f"import rehab.rules.{name}\n" for name in names)
        + "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'django', 'clinic', 'intake', 'notifications', 'reports'} "
        "or (m.startswith('rehab.') and not m.startswith('rehab.rules')))\n"
        "print(','.join(bad))\n"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter on a fixed script
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == ""
