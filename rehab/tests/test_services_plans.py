"""The progression engine wired to the database: multi-week scenarios driven day by day through
the services a patient's phone and the nightly job call, as the clinic would live them."""

import datetime as dt
import itertools

import pytest

from notifications.models import Delivery
from rehab import services
from rehab.models import (
    PLAN_STOPPED,
    Alert,
    ClinicProgressionPolicy,
    PlanProposal,
    PlanStatus,
    PlanTransition,
    ProposalStatus,
)
from rehab.rules import schedule as plan_schedule
from rehab.tests.factories import active_plan, place
from rehab.today import session_for, today_for

MONDAY = dt.date(2026, 3, 2)


class Week:
    """Drives one patient's days: the morning log, then today's key session if one is planned."""

    def __init__(self, patient, plan):
        self.patient, self.plan = patient, plan
        self.sessions: list[tuple[dt.date, str, bool]] = []

    def day(self, n: int) -> dt.date:
        return MONDAY + dt.timedelta(days=n)

    def log(self, n: int, *, morning: int = 1, pain: int = 1, run_m: int | None = None, **signs):
        activities = [{"kind": "run", "distance_m": run_m, "duration_min": 20, "rpe": 5}]
        services.daily_log_save(
            patient=self.patient,
            by=self.patient.user,
            log=self.patient.daily_logs.filter(date=self.day(n)).first(),
            fields={"date": self.day(n), "site_pain": pain, "morning_pain": morning, **signs},
            activities=activities if run_m else [],
            today=self.day(n),
        )

    def session(self, n: int, *, pain: int = 1, **signs):
        """Do day n's key session if the plan has one that day; returns it or None."""
        day = self.day(n)
        view = today_for(self.patient, today=day)
        session = session_for(view, "step")
        if session is None:
            return None
        services.session_complete(
            plan=view.plan,
            by=self.patient.user,
            day=day,
            session="step",
            kind=session.kind,
            label=session.title,
            phase_index=view.day.phase_index,
            step_index=session.step_index,
            running=session.running,
            site_pain_during=pain,
            effort=5,
            today=day,
            **signs,
        )
        self.sessions.append((day, session.title, session.running))
        return session

    def live(self, n: int, **session):
        self.log(n)
        return self.session(n, **session)

    def refresh(self):
        self.plan.refresh_from_db()
        return self.plan


def kinds(plan) -> list[str]:
    return list(plan.transitions.order_by("date", "id").values_list("kind", flat=True))


@pytest.fixture
def week(pat, alice):
    plan = active_plan(pat, start=MONDAY, by=alice)
    return Week(pat, plan)


def approve_pending(plan, by, day, **options):
    proposal = plan.proposals.get(status=ProposalStatus.PENDING)
    return services.proposal_approve(
        proposal=proposal, by=by, note="Looks good.", clearance_confirmed=True, today=day, **options
    )


def test_smooth_progress_runs_the_plan_to_its_end(week, alice):
    for n in range(60):
        week.live(n)
        plan = week.refresh()
        if plan.proposals.filter(status=ProposalStatus.PENDING).exists():
            approve_pending(plan, alice, week.day(n))  # leaving protect waits for the therapist
            week.session(n)
        if plan.status == PlanStatus.COMPLETED:
            break
    plan = week.refresh()
    assert plan.status == PlanStatus.COMPLETED
    assert kinds(plan) == ["start"] + ["advance"] * 5 + ["complete"]
    leaving_protect = plan.transitions.get(kind="advance", from_phase_index=0)
    assert leaving_protect.by == alice and leaving_protect.note == "Looks good."
    assert all(t.by is None for t in plan.transitions.filter(from_phase_index__gt=0))
    assert "Completed 2 times in a row" in plan.transitions.last().reason_texts[0]
    runs = [day for day, _, running in week.sessions if running]
    assert all(b - a > dt.timedelta(days=1) for a, b in itertools.pairwise(runs))
    notices = Delivery.objects.filter(patient=week.patient, kind="plan_advanced")
    assert notices.values("key").distinct().count() == 5  # 4 advances and the completion


def test_a_pain_spike_steps_the_plan_back_one_step(week, alice, pat):
    plan = week.plan
    # Straight to walk-run step 2 (tests may place a plan anywhere).
    place(plan, 2, 1, on=week.day(0))
    assert week.live(0).title == "Walk 3 / run 2"
    week.log(1)
    assert week.session(2, pain=6) is not None
    plan = week.refresh()
    assert plan.position == (2, 0) and plan.step_started_on == week.day(2)
    back = plan.transitions.get(kind="step_back")
    assert back.from_label == "Walk-run · Walk 3 / run 2" and back.to_label.endswith("run 1")
    assert "Site pain 6/10 during the session" in back.reason_texts[0]
    assert back.reasons[0]["evidence"] == "D — SEMC; C — Vincent 2022"
    assert Delivery.objects.filter(patient=pat, kind="plan_stepped_back").exists()
    # Saving the same day's log again, and the nightly run, change nothing more.
    week.log(2, pain=3)
    services.plans_evaluate_all(today=week.day(2))
    assert week.refresh().transitions.filter(kind="step_back").count() == 1


def test_two_step_backs_within_14_days_stop_the_plan_and_alert_the_therapist(week, pat):
    plan = week.plan
    place(plan, 2, 2, on=week.day(0))
    week.live(0, pain=6)  # step back to walk-run step 2
    assert week.refresh().position == (2, 1)
    week.log(1)
    week.log(2)
    assert week.session(2, pain=7) is not None  # the second within 14 days: stop
    plan = week.refresh()
    assert plan.status == PlanStatus.REVIEW and plan.position == (2, 1)
    stop = plan.transitions.get(kind="stop_review")
    assert any("2 within 14 days" in text for text in stop.reason_texts)
    alert = Alert.objects.get(patient=pat, rule=PLAN_STOPPED)
    assert alert.is_open and "stopped for review" in alert.reason
    # A stopped plan does nothing more until the therapist resumes it.
    week.log(3, morning=0)
    assert today_for(pat, today=week.day(3)).state == "review"
    assert kinds(week.refresh())[-1] == "stop_review"


def test_a_resumed_plan_counts_step_backs_afresh(week, alice, pat):
    plan = week.plan
    place(plan, 2, 2, on=week.day(0))
    week.live(0, pain=6)
    week.log(1)
    week.log(2)
    week.session(2, pain=6)
    services.plan_resume(
        plan=week.refresh(), by=alice, position=(2, 0), note="Reviewed.", today=week.day(3)
    )
    plan = week.refresh()
    assert plan.status == PlanStatus.ACTIVE and plan.position == (2, 0)
    week.live(4, pain=6)  # one step back since the review: a step back, not a stop
    plan = week.refresh()
    assert plan.status == PlanStatus.ACTIVE and plan.position == (1, 0)
    assert kinds(plan)[-2:] == ["resume", "step_back"]


def test_a_high_risk_site_waits_for_the_therapists_approval(pat, alice):
    plan = active_plan(pat, start=MONDAY, by=alice, high_risk_site=True)
    week = Week(pat, plan)
    place(plan, 2, 0, on=week.day(0))
    week.live(0)
    week.log(1)
    week.live(2)
    week.log(3)  # two tolerated completions: advance, but a therapist must approve
    plan = week.refresh()
    pending = plan.proposals.get(status=ProposalStatus.PENDING)
    assert plan.position == (2, 0) and pending.action == "advance"
    assert "High-risk site" in " ".join(pending.reason_texts)
    assert [p.pk for p in PlanProposal.objects.pending()] == [pending.pk]
    # The nightly job and more logs do not duplicate it.
    services.plans_evaluate_all(today=week.day(3))
    week.log(3, morning=1)
    assert plan.proposals.count() == 1
    transition = approve_pending(plan, alice, week.day(3))
    plan = week.refresh()
    assert plan.position == (2, 1) and transition.by == alice
    assert plan.proposals.get().status == ProposalStatus.APPROVED
    assert Delivery.objects.filter(patient=pat, kind="plan_approved").exists()


def test_leaving_protect_asks_for_the_phases_clearance(pat, alice):
    content = {
        "phases": [
            {
                "kind": "protect",
                "label": "Protect",
                "exit_clearance": "Imaging confirms healing",
                "steps": [{"code": "walk", "label": "Walk", "segments": []}],
            },
            {"kind": "walk_run", "label": "Walk-run", "steps": [{"code": "wr", "label": "WR"}]},
        ]
    }
    plan = active_plan(pat, start=MONDAY, by=alice, content=content)
    week = Week(pat, plan)
    for n in range(3):
        week.live(n)
    pending = plan.proposals.get(status=ProposalStatus.PENDING)
    assert pending.clearance == "Imaging confirms healing"
    with pytest.raises(services.PlanError, match="Imaging confirms healing"):
        services.proposal_approve(
            proposal=pending, by=alice, note="", clearance_confirmed=False, today=week.day(2)
        )
    assert week.refresh().position == (0, 0)


def test_a_declined_proposal_is_proposed_again_only_on_new_evidence(pat, alice):
    plan = active_plan(pat, start=MONDAY, by=alice, high_risk_site=True)
    week = Week(pat, plan)
    for n in range(3):
        week.live(n)
    proposal = plan.proposals.get(status=ProposalStatus.PENDING)
    services.proposal_decline(proposal=proposal, by=alice, note="Not yet.")
    services.plans_evaluate_all(today=week.day(2))
    assert not plan.proposals.filter(status=ProposalStatus.PENDING).exists()
    week.live(3)
    week.log(4)
    assert plan.proposals.filter(status=ProposalStatus.PENDING).count() == 1


def test_nightly_and_on_save_never_apply_a_change_twice(week):
    plan = week.plan
    place(plan, 1, 0, on=week.day(0))
    week.live(0)
    week.live(1)
    for _ in range(3):
        services.plans_evaluate_all(today=week.day(2))
    week.log(2)
    week.log(2, morning=0)
    advances = week.refresh().transitions.filter(kind="advance").exclude(key__startswith="placed")
    assert advances.count() == 1
    assert PlanTransition.objects.filter(plan=plan).values("key").distinct().count() == len(
        kinds(plan)
    )


def test_pain_between_the_limits_holds_the_step_once(week, pat):
    place(week.plan, 1, 0, on=week.day(0))
    week.live(0, pain=3)
    week.live(1, pain=4)
    plan = week.refresh()
    assert plan.position == (1, 0)
    hold = plan.transitions.get(kind="hold")
    assert "Site pain 3/10 during the session" in hold.reason_texts[0]
    notices = Delivery.objects.filter(patient=pat, kind="plan_held")
    assert notices.values("key").distinct().count() == 1


def test_the_clinic_can_require_approval_of_every_change(week, alice):
    ClinicProgressionPolicy.objects.create(
        clinic=week.patient.clinic, overrides={"auto_apply": False}
    )
    place(week.plan, 1, 0, on=week.day(0))
    for n in range(3):
        week.live(n)
    pending = week.plan.proposals.get(status=ProposalStatus.PENDING)
    assert "The clinic approves every plan change." in pending.reason_texts


def test_no_back_to_back_running_days_in_a_scheduled_walk_run_week(week):
    place(week.plan, 2, 0, on=week.day(0))
    week.log(0, run_m=2000)  # ran on Monday (logged, not through Today)
    view = today_for(week.patient, today=week.day(1))
    days = [view.day, *view.week]
    running = [d.date for d in days if any(s.running for s in d.sessions)]
    assert running and all(b - a >= dt.timedelta(days=2) for a, b in itertools.pairwise(running))
    assert view.day.rest_from_running and not any(s.running for s in view.day.sessions)
    assert days[5].date.weekday() == 6 and days[5].is_rest  # Sunday rest
    planned = plan_schedule.plan_days(
        week.plan.spec,
        position=(2, 0),
        start=week.day(1),
        days=28,
        sessions_left=2,
        sessions_per_step=2,
        last_run_date=week.day(0),
    )
    runs = [d.date for d in planned if d.running]
    assert len(runs) >= 6 and all(
        b - a >= dt.timedelta(days=2) for a, b in itertools.pairwise(runs)
    )


def test_running_on_a_day_the_plan_says_no_running_raises_the_alert(week, pat):
    week.log(0, run_m=3000)  # protect phase: no running
    alert = Alert.objects.get(patient=pat, rule="running_not_allowed")
    assert alert.dates == [week.day(0).isoformat()]
    place(week.plan, 2, 0, on=week.day(1))
    week.log(2, run_m=2000)  # walk-run allows it …
    week.log(3, run_m=2000)  # … but not on the next day too
    alert = Alert.objects.get(patient=pat, rule="running_not_allowed")  # one alert, two days
    assert alert.log_dates == [week.day(0), week.day(3)] and alert.occurrences == 2


def test_a_new_red_flag_stops_the_plan(week, pat, clinic_a):
    from intake.tests.factories import FEMORAL_NECK, submitted_intake

    submitted_intake(clinic_a, pat, FEMORAL_NECK)
    week.live(0)
    plan = week.refresh()
    assert plan.status == PlanStatus.REVIEW
    assert "New red flag: femoral_neck" in plan.transitions.last().reason_texts[0]


def test_a_run_the_plan_asked_for_is_not_flagged_when_the_plan_steps_back_that_day(week, pat):
    place(week.plan, 2, 0, on=week.day(0))
    week.log(1)
    assert week.session(2, pain=6).running  # the run walk-run asked for, and it hurt
    assert week.refresh().position == (1, 0)  # stepped back to cross-training that day
    week.log(2, run_m=2000, pain=6)  # the same run in the daily log
    assert not Alert.objects.filter(patient=pat, rule="running_not_allowed").exists()
    week.log(3, run_m=2000)  # the next day the plan says no running: that one is flagged
    raised = Alert.objects.filter(patient=pat, rule="running_not_allowed")
    assert list(raised.values_list("last_date", flat=True)) == [week.day(3)]


def test_a_run_on_the_day_the_plan_stopped_for_review_is_not_flagged(week, pat):
    place(week.plan, 2, 2, on=week.day(0))
    week.live(0, pain=6)  # a first step back
    week.log(1)
    week.session(2, pain=7)  # the second within 14 days stops the plan, on the run's day
    assert week.refresh().status == PlanStatus.REVIEW
    week.log(2, run_m=2500, pain=7)
    assert not Alert.objects.filter(patient=pat, rule="running_not_allowed").exists()
    week.log(4, run_m=2000)  # running while the plan is stopped is flagged
    assert Alert.objects.filter(patient=pat, rule="running_not_allowed").count() == 1


def test_a_step_back_waiting_for_approval_takes_the_run_off_today(pat, alice):
    plan = active_plan(pat, start=MONDAY, by=alice, high_risk_site=True)
    week = Week(pat, plan)
    place(plan, 2, 1, on=week.day(0))
    assert week.session(0, pain=6).running
    pending = plan.proposals.get(status=ProposalStatus.PENDING)
    assert pending.action == "step_back" and week.refresh().position == (2, 1)
    view = today_for(pat, today=week.day(2))  # the next running day, still waiting
    assert view.holding_back and session_for(view, "step") is None
    assert not any(s.running for s in view.day.sessions)
    services.proposal_approve(
        proposal=pending, by=alice, note="", clearance_confirmed=False, today=week.day(2)
    )
    view = today_for(pat, today=week.day(3))
    assert not view.holding_back and session_for(view, "step").title == "Walk 4 / run 1"


def test_new_pain_withdraws_an_advance_that_waits_for_approval(week, pat):
    week.live(0, pain=3)  # protect, pain 3/10: the step holds (recorded once)
    week.live(1)
    week.live(2)
    week.log(3)  # two tolerated completions: leaving protect waits for the therapist
    pending = week.plan.proposals.get(status=ProposalStatus.PENDING)
    assert pending.action == "advance"
    week.session(3, pain=4)  # pain again before the therapist looked: hold, again
    pending.refresh_from_db()
    assert pending.status == ProposalStatus.SUPERSEDED
    assert not week.plan.proposals.filter(status=ProposalStatus.PENDING).exists()
    assert week.refresh().position == (0, 0)


def test_a_high_risk_site_leaves_protect_only_with_imaging_clearance_whatever_the_template(
    pat, alice
):
    plan = active_plan(pat, start=MONDAY, by=alice, high_risk_site=True)  # protect: no clearance
    week = Week(pat, plan)
    for n in range(3):
        week.live(n)
    pending = plan.proposals.get(status=ProposalStatus.PENDING)
    assert pending.clearance == services.HIGH_RISK_PROTECT_CLEARANCE
    with pytest.raises(services.PlanError, match="Imaging confirms healing"):
        services.proposal_approve(
            proposal=pending, by=alice, note="", clearance_confirmed=False, today=week.day(2)
        )
    approve_pending(plan, alice, week.day(2))
    assert week.refresh().position == (1, 0)
