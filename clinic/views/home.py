"""Each role's home page, with the signed-in person's real data."""

from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic import access, lockouts
from clinic.access import Perm
from clinic.forms import ClinicLogoForm, InvitationForm
from clinic.models import CARE_TEAM_ROLES, STAFF_ROLES, Invitation, Membership, Patient, Role, User
from rehab.glance import with_glance
from rehab.models import with_log_summary

PAGE_SIZE = 25
SPARKLINE_DAYS = 14


@access.signed_in
def home(request):
    """Send each person to the home page of their main role in the active clinic."""
    role = access.workspace(request).primary_role
    targets = {
        Role.THERAPIST: "worklist",
        Role.ADMIN: "clinic_admin",
        Role.COACH: "care_team_home",
        Role.NUTRITIONIST: "care_team_home",
        Role.PATIENT: "patient_home",
    }
    if role is None:
        if request.user.is_staff:  # a site superuser with no clinic role: the Django admin
            return redirect("admin:index")
        return render(request, "clinic/no_clinic.html", status=403)
    return redirect(targets[role])


def _search(patients, query: str):
    for word in query.split()[:4]:
        patients = patients.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
        )
    return patients


@access.staff_only
def caseload(request):
    """The therapist's patients (or the whole clinic's), searchable and paginated."""
    scope = request.GET.get("scope", "mine")
    query = request.GET.get("q", "").strip()[:100]
    patients = access.patients_visible(request, Perm.VIEW_CLINICAL).select_related("therapist")
    if scope == "mine":
        patients = patients.filter(therapist=request.user)
    status = request.GET.get("status", "active")
    if status == "active":
        patients = patients.active()
    elif status == "discharged":
        patients = patients.filter(discharged_at__isnull=False)
    patients = _search(patients, query)
    # Patients with open alerts first: the count stored on the patient, so a page is read from
    # an index (patient_caseload_mine / _clinic); pain sparklines from rehab, in fixed queries.
    today = timezone.localdate()
    patients = with_log_summary(patients, today=today, sparkline_days=SPARKLINE_DAYS)
    patients = with_glance(patients)  # site, side and phase at a glance, as subqueries
    active = access.patients_visible(request, Perm.VIEW_CLINICAL).active()
    counts = {"mine": active.filter(therapist=request.user).count(), "clinic": active.count()}
    paginator = Paginator(
        patients.prefetch_related("care_team__user").order_by(
            "-open_alert_count", "last_name", "first_name", "id"
        ),
        PAGE_SIZE,
    )
    if status == "active" and not query and scope in counts:
        paginator.count = counts[scope]  # counted just above: not again
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "clinic/caseload.html",
        {
            "page": page,
            "scope": scope,
            "query": query,
            "status": status,
            "counts": counts,
            "today": today,
            "sparkline_days": SPARKLINE_DAYS,
        },
    )


@access.admin_only
def clinic_admin(request):
    """Members of the clinic, invitations, sign-in locks, and the form to invite staff."""
    return clinic_admin_page(request)


def clinic_admin_page(request, *, logo_form: ClinicLogoForm | None = None, status: int = 200):
    """The clinic page, for `clinic_admin` and for a logo upload refused (its form's errors
    shown beside the field). The caller has checked that the person is the clinic's admin."""
    clinic = access.workspace(request).clinic
    role = request.GET.get("role", "")
    if role not in Role.values:
        role = ""
    roles = [role] if role else [*STAFF_ROLES, *CARE_TEAM_ROLES]
    members = (
        User.objects.filter(
            pk__in=Membership.objects.filter(clinic=clinic, role__in=roles).values("user")
        )
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.filter(clinic=clinic))
        )
        .annotate(
            has_second_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
        )
        .order_by("full_name", "id")
    )
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    invitations = Invitation.objects.filter(clinic=clinic).select_related("invited_by")[:20]
    role_counts = dict(
        Membership.objects.active()
        .filter(clinic=clinic)
        .values_list("role")
        .annotate(n=Count("id"))
        .values_list("role", "n")
    )
    return render(
        request,
        "clinic/clinic_admin.html",
        {
            "page": page,
            "role": role,
            "roles": Role.choices,
            "invitations": invitations,
            "form": InvitationForm(clinic=clinic),
            "role_counts": role_counts,
            "patient_count": Patient.objects.filter(clinic=clinic).active().count(),
            "lockouts": lockouts.clinic_lockouts(clinic),
            "logo_form": logo_form or ClinicLogoForm(),
        },
        status=status,
    )


@access.for_roles(*CARE_TEAM_ROLES)
def care_team_home(request):
    """The patients whose care team this coach or nutritionist is on."""
    patients = (
        access.patients_visible(request, Perm.VIEW_PROGRESS)
        .active()
        .select_related("therapist")
        .prefetch_related("care_team__user")
        .order_by("last_name", "first_name", "id")
    )
    page = Paginator(patients, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "clinic/care_team_home.html", {"page": page})


@access.for_roles(Role.PATIENT)
def patient_home(request):
    """The runner's own page: their care team and what to do next."""
    patient = access.own_patient_record(request)
    return render(
        request,
        "clinic/patient_home.html",
        {"patient": patient, "next_step": patient_next_step(patient)},
    )


def patient_next_step(patient: Patient) -> dict:
    """What the runner should do next, in their words: today's plan once one is active, else the
    questionnaire, then its outcome."""
    from intake.models import Intake, IntakeLink
    from intake.presenting import runner_intake_step
    from intake.services import link_url
    from rehab.models import PlanStatus, patient_today

    plan = patient.plans.filter(status__in=(PlanStatus.ACTIVE, PlanStatus.REVIEW)).first()
    if plan is not None:
        return {
            "tone": "warning" if plan.status == PlanStatus.REVIEW else "success",
            "title": "Your plan is paused for a review"
            if plan.status == PlanStatus.REVIEW
            else f"Today: {plan.phase_label}",
            "body": "Your therapist is looking at your recent pain reports. No running until then."
            if plan.status == PlanStatus.REVIEW
            else f"{plan.step_label}. See today's sessions, the timer for your walk-run, and the "
            "week ahead.",
            "url": reverse("today"),
            "action": "Open today",
        }

    intake = patient.intakes.exclude(status=Intake.Status.DRAFT).order_by("-submitted_at").first()
    if intake:
        return runner_intake_step(intake, today=patient_today(patient))
    link = IntakeLink.objects.usable().filter(patient=patient).order_by("-created_at").first()
    if link:
        return {
            "tone": "info",
            "title": "Answer your questionnaire",
            "body": "A few short questions about where it hurts and your running, so your "
            "therapist can prepare. About five minutes; your answers are saved as you go.",
            "url": link_url(link),
            "action": "Open the questionnaire",
        }
    therapist = patient.therapist.get_short_name() if patient.therapist else "your therapist"
    return {
        "tone": "info",
        "title": "Your therapist will be in touch",
        "body": f"{therapist} will send you a short questionnaire about where it hurts and your "
        "running. It takes about five minutes on your phone. Until then, avoid running through "
        "pain and keep any walking pain-free.",
    }
