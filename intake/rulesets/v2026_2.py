"""Rule set 2026.2: rule set 2026.1 with one change, about the period questions.

In 2026.1 an unanswered "Do questions about periods apply to you?" read as "no": a female
runner who left it blank got "not applicable" for the two menstrual Triad factors, and a total
that looked complete. From 2026.2 only "no" makes them not apply; left blank or "not sure", their
answers count, and where they are missing the Triad lists them as missing (its total a minimum).
Every question, point, flag, text and default is 2026.1's. Frozen once released, like 2026.1.
"""

import dataclasses

from intake.rulesets import v2026_1

VERSION = "2026.2"

RULESET = dataclasses.replace(v2026_1.RULESET, version=VERSION, period_items_unless_no=True)
