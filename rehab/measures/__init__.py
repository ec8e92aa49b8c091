"""Patient-reported outcome measures (LEFS, UWRI): bsi-reference.md §6.

Pure modules, no Django (a test holds them to it): `instruments` (each instrument as data: items,
answer scale, scoring, minimal important change, reference, terms of use), `scoring` (answers to
a total, change since baseline and whether it is meaningful), `schedule` (when one falls due) and
`wording` (reading the licensed item text a clinic admin pastes). The Django side: the models in
`rehab.models.measures`, `services` (saving a response, the wording, due reminders), `queries`
(the patient panel and reports in one query), `forms` and `rehab.views.measures`.
"""
