import dataclasses
import datetime as dt
import itertools
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rehab.rules.load import DayLog
from rehab.rules.progression import (
    PROGRESSION_POLICY_DEFAULTS,
    PROGRESSION_RULES,
    PROGRESSION_RULES_VERSION,
    RESUME,
    Action,
    Completion,
    Phase,
    PhaseKind,
    PlanState,
    Step,
    Transition,
    next_running_day_allowed,
    propose,
    schedule_steps,
)
from rehab.tests.test_load import any_date, day, log, log_lists, pains


def step(code: str, running: bool = False) -> Step:
    return Step(code, code.replace("_", " "), running)


PLAN = (
    Phase(PhaseKind.PROTECT, "Protect", (step("walk_10"), step("walk_20"))),
    Phase(PhaseKind.CROSS_TRAIN, "Cross-train and strengthen", (step("cross_train_30"),)),
    Phase(
        PhaseKind.WALK_RUN,
        "Walk-run",
        (step("jog_5", True), step("jog_10", True), step("jog_20", True)),
    ),
    Phase(PhaseKind.REBUILD, "Rebuild", (step("run_20", True),)),
)
WALK_RUN, REBUILD = 2, 3


def plan_at(phase: int, step_index: int, *completions: Completion, **fields) -> PlanState:
    fields.setdefault("step_started_on", day(0))
    fields.setdefault("baseline_morning_pain", 1)
    return PlanState(PLAN, phase, step_index, completions=completions, **fields)


def done(n: int, during: int | None = 1, morning: int | None = 1, **signs) -> Completion:
    return Completion(day(n), site_pain_during=during, next_morning_pain=morning, **signs)


def proposal_for(state: PlanState, logs=(), today_n: int = 10, **options):
    return propose(state, list(logs), today=day(today_n), **options)


def rules_of(proposal) -> list[str]:
    return [reason.rule for reason in proposal.reasons]


# --- Advance ----------------------------------------------------------------------------------


def test_it_advances_after_two_completions_within_limits():
    proposal = proposal_for(plan_at(WALK_RUN, 0, done(2), done(4, during=2, morning=1)))

    assert (proposal.action, proposal.phase_index, proposal.step_index) == ("advance", WALK_RUN, 1)
    assert rules_of(proposal) == ["advance"]
    assert proposal.needs_approval is False


def test_it_holds_after_a_single_completion():
    proposal = proposal_for(plan_at(WALK_RUN, 0, done(4)))

    assert (proposal.action, proposal.step_index) == ("hold", 0)
    assert rules_of(proposal) == ["hold_until_tolerated"]
    assert "1 of the 2 completions" in proposal.reasons[0].text


def test_the_last_step_of_a_phase_advances_into_the_next_phase():
    proposal = proposal_for(plan_at(WALK_RUN, 2, done(2), done(4)))

    assert (proposal.action, proposal.phase_index, proposal.step_index) == ("advance", REBUILD, 0)


def test_the_last_step_of_the_plan_completes_it():
    proposal = proposal_for(plan_at(REBUILD, 0, done(2), done(4)))

    assert (proposal.action, proposal.phase_index, proposal.step_index) == ("complete", REBUILD, 0)


def test_it_reads_next_morning_pain_from_the_next_days_log():
    state = plan_at(WALK_RUN, 0, done(2, morning=None), done(4, morning=None))
    logs = [log(3, morning_pain=0), log(5, morning_pain=1)]

    assert proposal_for(state, logs).action == "advance"


def test_it_waits_for_next_morning_pain_before_advancing():
    state = plan_at(WALK_RUN, 0, done(2), done(4, morning=None))

    assert proposal_for(state, today_n=4).action == "hold"


def test_a_completion_that_was_not_tolerated_restarts_the_count():
    state = plan_at(WALK_RUN, 0, done(2), done(4, during=3), done(6))

    proposal = proposal_for(state)

    assert proposal.action == "hold"
    assert "1 of the 2" in proposal.reasons[0].text


def test_a_clinic_that_advances_after_one_completion_says_once():
    proposal = proposal_for(
        plan_at(WALK_RUN, 0, done(2)), thresholds={"advance_after_completions": 1}
    )

    assert proposal.action == "advance"
    assert proposal.reasons[0].text.startswith("Completed once with site pain ≤ 2/10")


def test_a_clinic_can_ask_for_three_completions():
    state = plan_at(WALK_RUN, 0, done(2), done(4))

    proposal = proposal_for(state, thresholds={"advance_after_completions": 3})

    assert proposal.action == "hold"


# --- Hold -------------------------------------------------------------------------------------


@pytest.mark.parametrize("during", [3, 4])
def test_it_holds_on_site_pain_3_to_4_during(during):
    proposal = proposal_for(plan_at(WALK_RUN, 0, done(2), done(4, during=during)))

    assert (proposal.action, rules_of(proposal)) == ("hold", ["hold_pain"])


def test_it_holds_when_next_morning_pain_is_above_baseline():
    state = plan_at(WALK_RUN, 0, done(2, morning=0), done(4, morning=1), baseline_morning_pain=0)

    proposal = proposal_for(state)

    assert proposal.action == "hold"
    assert "above the baseline 0/10" in proposal.reasons[0].text


def test_next_morning_pain_at_baseline_does_not_hold():
    state = plan_at(WALK_RUN, 0, done(2, morning=2), done(4, morning=2), baseline_morning_pain=2)

    assert proposal_for(state).action == "advance"


def test_pain_3_logged_on_a_rest_day_holds_the_step():
    state = plan_at(WALK_RUN, 0, done(2), done(4))

    assert proposal_for(state, [log(6, site_pain=3)]).action == "hold"


def test_without_a_recorded_baseline_it_uses_the_median_of_the_first_logs():
    state = plan_at(WALK_RUN, 0, done(2, morning=2), done(4, morning=2), baseline_morning_pain=None)
    logs = [log(-9, morning_pain=1), log(-8, morning_pain=2), log(-7, morning_pain=3)]

    assert proposal_for(state, logs).action == "advance"


def test_a_hold_needs_no_approval_even_for_a_high_risk_site():
    proposal = proposal_for(plan_at(WALK_RUN, 0, done(4, during=3), high_risk_site=True))

    assert (proposal.action, proposal.needs_approval) == ("hold", False)


# --- Step back --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "completion",
    [
        done(4, during=5),
        done(4, morning=5),
        done(4, swelling=True),
        done(4, limp=True),
        done(4, pain_over_24h=True),
    ],
    ids=["pain_5_during", "pain_5_next_morning", "swelling", "limp", "pain_over_24h"],
)
def test_it_steps_back_one_step(completion):
    proposal = proposal_for(plan_at(WALK_RUN, 1, done(2), completion))

    assert (proposal.action, proposal.phase_index, proposal.step_index) == (
        "step_back",
        WALK_RUN,
        0,
    )
    assert rules_of(proposal) == ["step_back"]
    assert proposal.reasons[0].evidence == "D — SEMC; C — Vincent 2022"


def test_it_steps_back_on_swelling():
    proposal = proposal_for(plan_at(WALK_RUN, 1, done(4, swelling=True)))

    assert proposal.action == "step_back"
    assert "Swelling reported after the session on 2026-03-06" in proposal.reasons[0].text


def test_it_steps_back_on_a_limp_logged_on_a_rest_day():
    proposal = proposal_for(plan_at(WALK_RUN, 1, done(2), done(4)), [log(6, limp=True)])

    assert proposal.action == "step_back"


def test_it_steps_back_when_morning_pain_stays_above_baseline_for_two_mornings():
    state = plan_at(WALK_RUN, 1, done(4, during=1, morning=None))
    logs = [log(5, morning_pain=2), log(6, morning_pain=2)]

    assert "more than 24 hours" in proposal_for(state, logs).reasons[0].text


def test_morning_pain_that_settles_by_the_second_morning_only_holds():
    state = plan_at(WALK_RUN, 1, done(4, during=1, morning=None))
    logs = [log(5, morning_pain=2), log(6, morning_pain=1)]

    assert proposal_for(state, logs).action == "hold"


def test_pain_4_does_not_step_back_and_pain_5_does():
    assert proposal_for(plan_at(WALK_RUN, 1, done(4, during=4))).action == "hold"
    assert proposal_for(plan_at(WALK_RUN, 1, done(4, during=5))).action == "step_back"


def test_a_clinic_can_move_the_step_back_pain():
    state = plan_at(WALK_RUN, 1, done(4, during=5))

    assert proposal_for(state, thresholds={"step_back_pain": 6}).action == "hold"


def test_a_step_back_from_the_first_step_of_a_phase_goes_to_the_previous_phase():
    proposal = proposal_for(plan_at(WALK_RUN, 0, done(4, during=6)))

    assert (proposal.phase_index, proposal.step_index) == (1, 0)


def test_the_log_that_moved_the_plan_does_not_count_against_the_new_step():
    state = plan_at(WALK_RUN, 0, step_started_on=day(4))

    assert proposal_for(state, [log(4, swelling=True)]).action == "hold"
    assert proposal_for(state, [log(5, swelling=True)]).action == "step_back"


def test_signals_before_the_latest_completion_are_not_judged_again():
    state = plan_at(WALK_RUN, 0, done(4), done(6))

    assert proposal_for(state, [log(3, site_pain=6, swelling=True)]).action == "advance"


# --- Stop for review --------------------------------------------------------------------------


def test_a_second_step_back_within_14_days_stops_the_plan():
    transitions = (Transition(day(0), Action.STEP_BACK),)
    state = plan_at(WALK_RUN, 1, done(12, during=6), transitions=transitions)

    proposal = proposal_for(state, today_n=14)

    assert proposal.action == "stop_review"
    assert proposal.alert_therapist is True
    assert proposal.needs_approval is False
    assert rules_of(proposal) == ["step_back", "stop_repeated_step_backs"]
    assert "2026-03-02, 2026-03-16" in proposal.reasons[-1].text


def test_a_step_back_15_days_earlier_does_not_count():
    transitions = (Transition(day(0), Action.STEP_BACK),)
    state = plan_at(WALK_RUN, 1, done(13, during=6), transitions=transitions)

    assert proposal_for(state, today_n=15).action == "step_back"


def test_step_backs_before_the_therapist_resumed_the_plan_do_not_count():
    transitions = (Transition(day(2), Action.STEP_BACK), Transition(day(3), RESUME))
    state = plan_at(WALK_RUN, 1, done(8, during=6), transitions=transitions)

    assert proposal_for(state).action == "step_back"


def test_a_new_red_flag_stops_the_plan_whatever_the_pain():
    state = plan_at(WALK_RUN, 1, done(2), done(4), new_red_flags=("groin_pain_on_hopping",))

    proposal = proposal_for(state)

    assert (proposal.action, proposal.alert_therapist) == ("stop_review", True)
    assert rules_of(proposal) == ["stop_red_flag"]
    assert "groin_pain_on_hopping" in proposal.reasons[0].text


def test_a_step_back_needed_at_the_first_step_of_the_plan_stops_it():
    proposal = proposal_for(plan_at(0, 0, done(4, swelling=True)))

    assert proposal.action == "stop_review"
    assert rules_of(proposal)[-1] == "stop_no_earlier_step"


# --- Approval ---------------------------------------------------------------------------------


def test_every_change_of_a_high_risk_site_plan_needs_approval():
    advance = proposal_for(plan_at(WALK_RUN, 0, done(2), done(4), high_risk_site=True))
    step_back = proposal_for(plan_at(WALK_RUN, 1, done(4, limp=True), high_risk_site=True))

    assert advance.needs_approval and step_back.needs_approval
    assert rules_of(advance)[-1] == "approval_high_risk_site"
    assert advance.reasons[-1].evidence.startswith("A — Hoenig et al., BJSM 2023")


def test_leaving_the_protect_phase_needs_approval():
    proposal = proposal_for(plan_at(0, 1, done(2), done(4)))

    assert (proposal.action, proposal.phase_index) == ("advance", 1)
    assert proposal.needs_approval is True
    assert rules_of(proposal) == ["advance", "approval_leaving_protect"]


def test_advancing_within_the_protect_phase_needs_no_approval():
    assert proposal_for(plan_at(0, 0, done(2), done(4))).needs_approval is False


def test_a_clinic_can_require_approval_for_every_change():
    state = plan_at(WALK_RUN, 0, done(2), done(4))

    proposal = proposal_for(state, thresholds={"auto_apply": False})

    assert proposal.needs_approval is True
    assert rules_of(proposal)[-1] == "approval_clinic_policy"


# --- Scripted scenarios -----------------------------------------------------------------------


def apply(state: PlanState, proposal, today: dt.date) -> PlanState:
    """What the Django side does with an applied proposal."""
    if proposal.action in (Action.HOLD, Action.COMPLETE):
        return state
    return dataclasses.replace(
        state,
        phase_index=proposal.phase_index,
        step_index=proposal.step_index,
        step_started_on=today,
        completions=(),
        transitions=(*state.transitions, Transition(today, proposal.action)),
    )


def follow(state: PlanState, respond, *, sessions: int, approve_after_days: int = 0):
    """Run one session every other day; judge each the next morning; return the proposals.

    `respond(state, session)` gives (pain during, next-morning pain, swelling). A proposal that
    needs approval applies once it has waited `approve_after_days`.
    """
    proposals, logs, today, waiting_since = [], [], day(0), None
    for session in range(sessions):
        during, morning, swelling = respond(state, session)
        logs.append(DayLog(today, activity_pain=during, swelling=swelling))
        completion = Completion(today, during, morning, swelling=swelling)
        state = dataclasses.replace(state, completions=(*state.completions, completion))
        today += dt.timedelta(days=1)
        logs.append(DayLog(today, morning_pain=morning))
        proposal = propose(state, logs, today=today)
        proposals.append(proposal)
        if proposal.action in (Action.STOP_REVIEW, Action.COMPLETE):
            break
        if proposal.needs_approval:
            waiting_since = waiting_since or today
            if (today - waiting_since).days < approve_after_days:
                today += dt.timedelta(days=1)
                continue
        waiting_since = None
        state = apply(state, proposal, today)
        today += dt.timedelta(days=1)
    return proposals


def pain_free(state, session):
    return 1, 1, False


def test_smooth_progress_runs_the_plan_to_its_end():
    proposals = follow(plan_at(0, 0), pain_free, sessions=30)

    assert [p.action for p in proposals] == ["hold", "advance"] * 6 + ["hold", "complete"]
    assert [p.needs_approval for p in proposals if p.action == "advance"] == [
        False,
        True,  # leaving protect
        False,
        False,
        False,
        False,
    ]


def test_a_pain_spike_steps_back_and_the_plan_climbs_again():
    def spike_on_jog_10(state, session):
        on_jog_10 = (state.phase_index, state.step_index) == (WALK_RUN, 1)
        first_try = not any(t.kind == Action.STEP_BACK for t in state.transitions)
        return (6, 3, False) if on_jog_10 and first_try else (1, 1, False)

    proposals = follow(plan_at(WALK_RUN, 0), spike_on_jog_10, sessions=20)
    moves = [(p.action, p.phase_index, p.step_index) for p in proposals if p.action != "hold"]

    assert moves == [
        ("advance", WALK_RUN, 1),
        ("step_back", WALK_RUN, 0),
        ("advance", WALK_RUN, 1),
        ("advance", WALK_RUN, 2),
        ("advance", REBUILD, 0),
        ("complete", REBUILD, 0),
    ]


def test_two_step_backs_within_14_days_stop_the_plan():
    def swells_on_jog_10(state, session):
        return (2, 1, (state.phase_index, state.step_index) == (WALK_RUN, 1))

    proposals = follow(plan_at(WALK_RUN, 0), swells_on_jog_10, sessions=20)

    assert [p.action for p in proposals if p.action != "hold"] == [
        "advance",
        "step_back",
        "advance",
        "stop_review",
    ]
    assert proposals[-1].alert_therapist is True


def test_a_high_risk_site_plan_waits_for_the_therapist_before_each_move():
    proposals = follow(
        plan_at(WALK_RUN, 0, high_risk_site=True), pain_free, sessions=4, approve_after_days=3
    )

    assert [(p.action, p.needs_approval) for p in proposals] == [
        ("hold", False),
        ("advance", True),
        ("advance", True),  # re-proposed while waiting, same target
        ("advance", True),
    ]
    assert {(p.phase_index, p.step_index) for p in proposals[1:]} == {(WALK_RUN, 1)}


# --- Schedule ---------------------------------------------------------------------------------


def test_the_next_running_day_skips_the_day_after_a_run():
    assert next_running_day_allowed(day(0), day(1)) == day(2)
    assert next_running_day_allowed(day(0), day(2)) == day(2)
    assert next_running_day_allowed(day(0), day(5)) == day(5)
    assert next_running_day_allowed(None, day(1)) == day(1)


def test_a_walk_run_schedule_puts_rest_days_between_runs():
    steps = [step("walk_30"), step("jog_5", True), step("jog_10", True), step("strength")]

    schedule = schedule_steps(steps, day(0), sessions_per_step=2)

    assert [entry.step.code if entry.step else "rest" for entry in schedule] == [
        "walk_30",
        "walk_30",
        "jog_5",
        "rest",
        "jog_5",
        "rest",
        "jog_10",
        "rest",
        "jog_10",
        "strength",
        "strength",
    ]
    assert [entry.date for entry in schedule] == [day(n) for n in range(11)]


def test_a_schedule_continues_after_a_run_already_done():
    schedule = schedule_steps([step("jog_5", True)], day(1), last_run_date=day(0))

    assert [(entry.date, entry.step) for entry in schedule] == [
        (day(1), None),
        (day(2), step("jog_5", True)),
    ]


@given(
    runs=st.lists(st.booleans(), max_size=30),
    start=any_date,
    sessions=st.integers(min_value=1, max_value=3),
    last_run=st.none() | any_date,
)
def test_a_schedule_never_has_two_running_days_in_a_row(runs, start, sessions, last_run):
    steps = [step(f"s{n}", running) for n, running in enumerate(runs)]
    last_run = last_run if last_run is None or last_run < start else None

    schedule = schedule_steps(steps, start, sessions_per_step=sessions, last_run_date=last_run)

    running_days = [entry.date for entry in schedule if entry.is_running]
    running_days = [last_run, *running_days] if last_run else running_days
    assert all(b - a >= dt.timedelta(days=2) for a, b in itertools.pairwise(running_days))
    assert [entry.date for entry in schedule] == [
        start + dt.timedelta(days=n) for n in range(len(schedule))
    ]
    assert [entry.step for entry in schedule if entry.step] == [
        s for s in steps for _ in range(sessions)
    ]
    rests = [n for n, entry in enumerate(schedule) if entry.step is None]
    assert all(schedule[n + 1].is_running for n in rests)  # a rest day only where a run needs one


# --- Shape and robustness ---------------------------------------------------------------------


def test_a_position_outside_the_plan_is_refused():
    with pytest.raises(ValueError, match="step_index"):
        plan_at(0, 5)
    with pytest.raises(ValueError, match="phase_index"):
        plan_at(9, 0)


def test_a_proposal_serialises_to_json_with_its_rule_version():
    proposal = proposal_for(plan_at(WALK_RUN, 0, done(2), done(4)))

    data = json.loads(json.dumps(proposal.to_dict()))

    assert data["action"] == "advance"
    assert data["version"] == PROGRESSION_RULES_VERSION
    assert data["reasons"][0]["section"] == "§5 Progression rules"


def test_policy_defaults_lie_within_their_limits_and_rules_name_a_section():
    for key, policy in PROGRESSION_POLICY_DEFAULTS.items():
        assert policy.label and policy.help, key
        if not isinstance(policy.value, bool):
            assert policy.min <= policy.value <= policy.max, key
    assert all(rule.section.startswith("§") for rule in PROGRESSION_RULES)


completions = st.builds(
    Completion,
    date=any_date,
    site_pain_during=pains,
    next_morning_pain=pains,
    swelling=st.booleans(),
    limp=st.booleans(),
    pain_over_24h=st.booleans(),
)
transitions = st.builds(
    Transition, date=any_date, kind=st.sampled_from([*Action, RESUME]) | st.text(max_size=3)
)


@st.composite
def plan_states(draw):
    phase_index = draw(st.integers(min_value=0, max_value=len(PLAN) - 1))
    return PlanState(
        PLAN,
        phase_index,
        draw(st.integers(min_value=0, max_value=len(PLAN[phase_index].steps) - 1)),
        step_started_on=draw(any_date),
        high_risk_site=draw(st.booleans()),
        completions=tuple(draw(st.lists(completions, max_size=6))),
        transitions=tuple(draw(st.lists(transitions, max_size=6))),
        baseline_morning_pain=draw(st.none() | st.floats(min_value=-2, max_value=12)),
        new_red_flags=tuple(draw(st.lists(st.text(max_size=8), max_size=1))),
    )


@given(state=plan_states(), logs=log_lists, today=any_date)
def test_propose_never_raises_on_odd_input(state, logs, today):
    proposal = propose(state, logs, today=today)

    assert proposal.action in set(Action)
    assert proposal.reasons
    assert 0 <= proposal.phase_index < len(PLAN)
