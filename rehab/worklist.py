"""What waits for a clinician today: the blocks of the worklist and the navigation's counts.

Each block is one list query (at most `BLOCK_SIZE` rows, most urgent first) and one count, so the
worklist costs the same number of queries with three patients or three thousand. Whose items a
block holds is `clinic.access.signals_mine` (the person's own patients, and the unowned ones when
they keep the clinic's inbox): this module never decides it.
"""

import dataclasses
import datetime as dt

from django.db.models import Case, F, Func, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.http import HttpRequest
from django.utils import timezone

from clinic import access
from clinic.models import Clinic, Patient
from intake.models import Intake
from notifications.planning import THERAPIST_AFTER_DAYS
from rehab.models import PLAN_STOPPED, Alert, DailyLog, Plan, PlanProposal, Visit

BLOCK_SIZE = 10

# How soon a clinician should look at an open alert. Pain at or over the alert level, pain that
# rises, morning pain above baseline and a plan the engine stopped are about the bone now
# (clinical reference §5); load and logging alerts can wait for the day's review.
URGENT, REVIEW = "urgent", "review"
SEVERITY_LABELS = {URGENT: "Urgent", REVIEW: "To review"}
ALERT_SEVERITY = {
    "site_pain_high": URGENT,
    "morning_pain_above_baseline": URGENT,
    "pain_rising": URGENT,
    PLAN_STOPPED: URGENT,
    "run_longer_than_recent_longest": REVIEW,
    "weekly_distance_increase": REVIEW,
    "running_not_allowed": REVIEW,
    "no_log": REVIEW,
}


def alert_severity(rule: str) -> str:
    """An unknown (newer) rule counts as urgent: a safety signal is never quietly demoted."""
    return ALERT_SEVERITY.get(rule, URGENT)


def _severity_rank():
    """0 for urgent, 1 for review, as SQL: to order the open alerts by severity."""
    review = [rule for rule, severity in ALERT_SEVERITY.items() if severity == REVIEW]
    return Case(When(rule__in=review, then=Value(1)), default=Value(0), output_field=IntegerField())


@dataclasses.dataclass(frozen=True)
class Block:
    """One block of the worklist: its first items and how many there are in all."""

    items: list
    count: int

    @property
    def more(self) -> int:
        return max(self.count - len(self.items), 0)


def _block(queryset) -> Block:
    items = list(queryset[:BLOCK_SIZE])
    count = len(items) if len(items) < BLOCK_SIZE else queryset.order_by().count()
    return Block(items, count)


# --- The blocks -------------------------------------------------------------------------------


def triage_waiting(clinic: Clinic, user) -> Q:
    """Intakes waiting for this person in the triage queue: sent and not yet decided, taken by
    them or by nobody yet (a follow-up already booked waits for its visit, not for triage)."""
    return Q(clinic=clinic, status__in=(Intake.Status.NEW, Intake.Status.IN_REVIEW)) & (
        Q(assigned_to__isnull=True) | Q(assigned_to=user)
    )


def red_flag_intakes(request: HttpRequest) -> Block:
    """Waiting intakes where a red flag fired, most urgent and longest waiting first."""
    clinic = access.workspace(request).clinic
    intakes = (
        Intake.objects.filter(triage_waiting(clinic, request.user))
        .exclude(red_flag_level="")
        .select_related("patient", "link", "assigned_to")
        .order_by("priority_rank", "submitted_at", "pk")
    )
    return _block(intakes)


def open_alerts(request: HttpRequest, mine: Q | None = None) -> Block:
    """This person's open alerts: urgent ones first, then the newest."""
    clinic = access.workspace(request).clinic
    mine = mine if mine is not None else access.signals_mine(request)
    alerts = (
        Alert.objects.open()
        .for_clinic(clinic)
        .filter(mine)
        .select_related("patient", "patient__therapist")
        .annotate(severity_rank=_severity_rank())
        .order_by("severity_rank", "-last_date", "-raised_at", "id")
    )
    block = _block(alerts)
    for alert in block.items:
        alert.severity = alert_severity(alert.rule)
        alert.severity_label = SEVERITY_LABELS[alert.severity]
    return block


def approvals_waiting(request: HttpRequest) -> Block:
    """Plan changes waiting for this person's approval, oldest first."""
    clinic = access.workspace(request).clinic
    proposals = (
        PlanProposal.objects.pending()
        .filter(plan__patient__clinic=clinic)
        .filter(access.signals_mine(request, "plan__patient"))
        .select_related("plan", "plan__patient", "plan__patient__therapist")
        .order_by("created_at", "id")
    )
    return _block(proposals)


def silent_runners(request: HttpRequest, today: dt.date | None = None) -> Block:
    """This person's runners following a plan who have not logged for three whole days (the day
    their therapist's notice goes out, `notifications.planning`), longest silent first.

    Never having logged counts from the day logging was first expected: the later of care start
    and the account's first day.
    """
    today = today or timezone.localdate()
    clinic = access.workspace(request).clinic
    last_log = DailyLog.objects.filter(patient=OuterRef("patient")).order_by("-date")
    # Silent since the last log: on or before `quiet_from`; never logged: expected before it.
    quiet_from = today - dt.timedelta(days=THERAPIST_AFTER_DAYS + 1)
    expected_before = timezone.make_aware(
        dt.datetime.combine(quiet_from + dt.timedelta(days=2), dt.time(0))
    )
    plans = (
        Plan.objects.started()
        .filter(patient__clinic=clinic, patient__discharged_at__isnull=True)
        .filter(patient__user__isnull=False)
        .filter(access.signals_mine(request, "patient"))
        .annotate(
            last_log_date=Subquery(last_log.values("date")[:1]),
            expected_at=Greatest("patient__created_at", "patient__user__date_joined"),
        )
        .filter(
            Q(last_log_date__lte=quiet_from)
            | Q(last_log_date__isnull=True, expected_at__lt=expected_before)
        )
        .select_related("patient", "patient__therapist")
        .order_by(Coalesce("last_log_date", "start_date").asc(), "patient__last_name", "id")
    )
    block = _block(plans)
    for plan in block.items:
        since = plan.last_log_date or timezone.localdate(plan.expected_at) - dt.timedelta(days=1)
        plan.silent_days = (today - since).days - 1  # whole days without a log
    return block


def visits_today(request: HttpRequest) -> Block:
    """This person's follow-up visits today, in order (missed and attended ones too, so the day
    reads whole; cancelled ones are left out)."""
    clinic = access.workspace(request).clinic
    return _block(Visit.objects.today_for_therapist(request.user, clinic=clinic))


def unowned_patients(request: HttpRequest) -> Block | None:
    """Active patients without a responsible therapist, for those who keep the clinic's inbox
    (None for anyone else: the block is not theirs). Newest first."""
    ws = access.workspace(request)
    if not ws.keeps_inbox:
        return None
    patients = (
        Patient.objects.filter(clinic=ws.clinic)
        .active()
        .filter(Q(therapist__isnull=True) | Q(therapist__is_active=False))
        .order_by("-created_at", "id")
    )
    return _block(patients)


def worklist(request: HttpRequest) -> dict[str, Block | None]:
    """Every block of the worklist, in the order the page shows them."""
    return {
        "alerts": open_alerts(request),
        "red_flags": red_flag_intakes(request),
        "approvals": approvals_waiting(request),
        "visits": visits_today(request),
        "silent": silent_runners(request),
        "unowned": unowned_patients(request),
    }


# --- The navigation's counts ------------------------------------------------------------------


def _count_of(queryset):
    """A scalar subquery counting `queryset`: one COUNT(*) without GROUP BY (a grouped count of
    the key led PostgreSQL to scan the table instead of reading a small index alone)."""
    counted = queryset.order_by().annotate(n=Func(template="COUNT(*)", output_field=IntegerField()))
    return Coalesce(Subquery(counted.values("n")), Value(0))


def _sum_of(queryset, field: str):
    """A scalar subquery summing `field` over `queryset`, as `_count_of`."""
    summed = (
        queryset.order_by()
        .annotate(n=Func(F(field), function="SUM", output_field=IntegerField()))
        .values("n")
    )
    return Coalesce(Subquery(summed), Value(0))


def nav_counts(request: HttpRequest) -> dict[str, int]:
    """What waits for this person behind Triage, Alerts and Approvals, in one query.

    Open alerts are summed from the counts stored on the patients that have any (index
    `patient_open_alerts`), not counted over the clinic's alerts joined to its patients: a few
    rows instead of every patient on every staff page."""
    clinic = access.workspace(request).clinic
    if clinic is None:
        return {}
    triage = Intake.objects.filter(triage_waiting(clinic, request.user))
    alerts = Patient.objects.filter(clinic=clinic, open_alert_count__gt=0).filter(
        access.signals_mine(request, "")
    )
    approvals = (
        PlanProposal.objects.pending()
        .filter(plan__patient__clinic=clinic)
        .filter(access.signals_mine(request, "plan__patient"))
    )
    return (
        Clinic.objects.filter(pk=clinic.pk)
        .values(
            triage=_count_of(triage),
            alerts=_sum_of(alerts, "open_alert_count"),
            approvals=_count_of(approvals),
        )
        .get()
    )
