"""The rehab rules: pure Python over plain data, no Django import (a test holds them to that).

- `load`: daily logs into weekly load, acute:chronic ratio, pain-free days (reference §7).
- `alerts`: logs into alert findings, each naming its rule and anchor date (§4, §5, §7).
- `progression`: advance, hold, step back or stop a plan from its state and the logs (§5).
- `schedule`: what a plan puts on each day (key session, strength, cross-training, rest).
- `content`: what a plan holds (phases, steps, exercises), read from and written to JSON.
- `library`: the starter exercises and plan templates every clinic gets.
- `imaging_grade`: what the examination's imaging means for the protect phase.

The models, services and views around them (`rehab.models`, `rehab.services`, `rehab.views`)
load the facts, call these rules and store what they decide.
"""
