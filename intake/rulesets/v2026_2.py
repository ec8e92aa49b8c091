"""Rule set 2026.2: rule set 2026.1 with two changes. Frozen once released, like 2026.1.

1. The period questions. In 2026.1 an unanswered "Do questions about periods apply to you?" read
   as "no": a female runner who left it blank got "not applicable" for the two menstrual Triad
   factors, and a total that looked complete. From 2026.2 only "no" makes them not apply; left
   blank or "not sure", their answers count, and where they are missing the Triad lists them as
   missing (its total a minimum).
2. The patella's high-risk class is a clinic policy (`patella_high_risk`, on by default), as the
   reference marks it (§3: on classic lists, not confirmed in a retrieved source — policy).

Every other question, point, flag, text and default is 2026.1's.
"""

import dataclasses

from intake.rulesets import v2026_1
from intake.rulesets.schema import PolicySetting

VERSION = "2026.2"

POLICY = {
    **v2026_1.POLICY,
    "patella_high_risk": PolicySetting(
        True,
        bool,
        "Patella counts as a high-risk site",
        "Clinic default, not evidence: the patella is on classic high-risk lists, but no "
        "retrieved source confirms it (reference §3). Off: a confirmed patella is low risk.",
    ),
}

RULESET = dataclasses.replace(
    v2026_1.RULESET,
    version=VERSION,
    policy=POLICY,
    period_items_unless_no=True,
    policy_site_risk=(("patella", "patella_high_risk"),),
)
