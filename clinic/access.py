"""Who may see or do what. The only module that decides it; every view calls it first.

Views are wrapped by exactly one of the decorators below, which mark the view with its rule
(`view.access_rule`) so a test can prove that no URL escapes this module:

- `public`: no sign-in (login, password reset, invitation and intake links).
- `signed_in`: any signed-in person (their own settings, switching clinic).
- `for_roles(...)`: a signed-in person holding one of these roles in the clinic they are working in.
- `with_patient(perm)`: a signed-in person who may `perm` the patient the URL names; the view
  receives the loaded patient.
- `before_second_factor`: signed in with a password, the second factor perhaps still to come;
  only for the pages that enrol or verify it.
- `api_endpoint(rule)`: a REST API or FHIR view (api/); Django REST framework authenticates the
  request (a personal API token or the session), then `api_allows` decides, and the view loads
  patients through `patient_for` like a page.

Every decorator but `public` and `before_second_factor` also demands the second factor: a person
who has one must have entered a code in this session (else they go to the verify page), and a
person whose clinic requires one must have set it up (else they go to the enrolment page).

Object access goes through `patient_for(...)` (which `with_patient` calls). It answers 404, never
403, for a patient outside the person's reach, so URLs do not reveal which patients exist.
"""

import enum
from collections.abc import Callable, Iterable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse

from clinic.models import CARE_TEAM_ROLES, STAFF_ROLES, Clinic, Membership, Patient, Role, User

ACTIVE_CLINIC_SESSION_KEY = "active_clinic_id"


class Perm(enum.Enum):
    """What someone wants to do with one patient's record."""

    VIEW_PROGRESS = "view_progress"  # plan, logs, progress: staff, the care team, the patient
    VIEW_CLINICAL = "view_clinical"  # intake, score, clinical notes: clinic staff only
    EDIT = "edit"  # demographics, care team, decisions: clinic staff only


class Workspace:
    """The clinic a signed-in person is working in now, and their roles there."""

    def __init__(self, user, memberships: list[Membership], clinic_id: int | None):
        self.user = user
        self.memberships = memberships
        clinics = {m.clinic_id: m.clinic for m in memberships}
        if clinic_id not in clinics:
            clinic_id = memberships[0].clinic_id if memberships else None
        self.clinic: Clinic | None = clinics.get(clinic_id)
        self.roles = frozenset(m.role for m in memberships if m.clinic_id == clinic_id)
        self.clinics = sorted(clinics.values(), key=lambda c: c.name)

    def has_any(self, roles: Iterable[str]) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_staff(self) -> bool:
        return self.has_any(STAFF_ROLES)

    @property
    def keeps_inbox(self) -> bool:
        """An admin, or a therapist on duty, of the active clinic: sees the unowned patients'
        signals with their own (see `signals_mine`)."""
        return any(
            m.clinic_id == (self.clinic.id if self.clinic else None)
            and (m.role == Role.ADMIN or (m.role == Role.THERAPIST and m.on_duty))
            for m in self.memberships
        )

    @property
    def primary_role(self) -> str | None:
        for role in (Role.THERAPIST, Role.ADMIN, Role.COACH, Role.NUTRITIONIST, Role.PATIENT):
            if role in self.roles:
                return role
        return None


def workspace(request: HttpRequest) -> Workspace:
    """The request's workspace, loaded once per request."""
    if not hasattr(request, "_workspace"):
        memberships = []
        if request.user.is_authenticated:
            memberships = list(
                Membership.objects.active().filter(user=request.user).select_related("clinic")
            )
        # An API token works in the clinic it was made in; a session in the one chosen last.
        token = getattr(request, "api_token", None)
        clinic_id = token.clinic_id if token else request.session.get(ACTIVE_CLINIC_SESSION_KEY)
        request._workspace = Workspace(request.user, memberships, clinic_id)
    return request._workspace


def switch_clinic(request: HttpRequest, clinic_id: int) -> bool:
    """Make `clinic_id` the active clinic if the person belongs to it."""
    if not any(m.clinic_id == clinic_id for m in workspace(request).memberships):
        return False
    request.session[ACTIVE_CLINIC_SESSION_KEY] = clinic_id
    del request._workspace
    return True


class SecondFactor(enum.Enum):
    """Where a signed-in person stands with two-step verification in this session."""

    DONE = "done"  # verified with a code in this session, or not needed
    VERIFY = "verify"  # has an authenticator but has not entered a code in this session
    ENROL = "enrol"  # their clinic requires one and they have not set it up


def second_factor(request: HttpRequest) -> SecondFactor:
    """The second-factor state of the signed-in person, worked out once per request."""
    if not hasattr(request, "_second_factor"):
        request._second_factor = _second_factor_state(request.user)
    return request._second_factor


def _second_factor_state(user) -> SecondFactor:
    if user.is_verified():  # set by django-otp's OTPMiddleware
        return SecondFactor.DONE
    enrolled, required = user.second_factor_facts()
    if enrolled:
        return SecondFactor.VERIFY
    return SecondFactor.ENROL if required else SecondFactor.DONE


def sign_in_gate(request: HttpRequest) -> HttpResponse | None:
    """A redirect for whoever may not pass yet (sign in, then the second factor), else None."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    state = second_factor(request)
    if state is SecondFactor.VERIFY:
        return redirect_to_login(request.get_full_path(), reverse("two_factor_verify"))
    if state is SecondFactor.ENROL:
        return redirect_to_login(request.get_full_path(), reverse("two_factor_enrol"))
    return None


def _mark(view: Callable, rule: str) -> Callable:
    view.access_rule = rule
    return view


def public(view: Callable) -> Callable:
    return _mark(view, "public")


def before_second_factor(view: Callable) -> Callable:
    """Signed in with a password; for the pages that set up or check the second factor only."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return _mark(wrapper, "before_second_factor")


def signed_in(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if gate := sign_in_gate(request):
            return gate
        return view(request, *args, **kwargs)

    return _mark(wrapper, "signed_in")


def for_roles(*roles: str) -> Callable[[Callable], Callable]:
    """Require one of `roles` in the active clinic; anonymous visitors go to the login page."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if gate := sign_in_gate(request):
                return gate
            if not workspace(request).has_any(roles):
                raise PermissionDenied(
                    "Your role in this clinic does not give access to this page."
                )
            return view(request, *args, **kwargs)

        return _mark(wrapper, "roles:" + ",".join(sorted(roles)))

    return decorator


def with_patient(perm: Perm) -> Callable[[Callable], Callable]:
    """Load the URL's patient for `perm` and pass it to the view instead of its id.

    Anyone who may not `perm` this patient — another clinic, another patient, a care-team
    member asking for clinical data — gets 404, so the view never sees an object it should not.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, patient_id, *args, **kwargs):
            if gate := sign_in_gate(request):
                return gate
            return view(request, patient_for(request, patient_id, perm), *args, **kwargs)

        return _mark(wrapper, f"patient:{perm.value}")

    return decorator


def api_endpoint(rule: str) -> Callable[[Callable], Callable]:
    """Mark the URL callback of an API view (api/) with its rule. The checks run inside the view,
    once Django REST framework has authenticated the request: `api_allows` first, then
    `patient_for` for the patient the URL names (404 outside the person's reach)."""
    return lambda view: _mark(view, f"api:{rule}")


def api_allows(request, roles: Iterable[str] | None, *, write: bool) -> bool:
    """Whether an authenticated API request may go on: exactly the person's own rights.

    A session must have passed the second factor, as for pages (a token was made in such a
    session and stands for it). A read-only token may not write. `roles`, when given, must
    include one the person holds in the workspace's clinic (the token's clinic).
    """
    token = getattr(request, "api_token", None)
    if token is None and second_factor(request) is not SecondFactor.DONE:
        return False
    if write and token is not None and not token.can_write:
        return False
    return roles is None or workspace(request).has_any(roles)


staff_only = for_roles(*STAFF_ROLES)
admin_only = for_roles(Role.ADMIN)


def patients_visible(request: HttpRequest, perm: Perm = Perm.VIEW_PROGRESS) -> QuerySet[Patient]:
    """Every patient record this person may open for `perm`, in the active clinic."""
    ws = workspace(request)
    if ws.clinic is None:
        return Patient.objects.none()
    in_clinic = Patient.objects.filter(clinic=ws.clinic)
    if ws.is_staff:
        return in_clinic
    if perm is not Perm.VIEW_PROGRESS:
        return Patient.objects.none()
    if ws.has_any(CARE_TEAM_ROLES):
        return in_clinic.filter(care_team__user=request.user).distinct()
    if Role.PATIENT in ws.roles:
        return in_clinic.filter(user=request.user)
    return Patient.objects.none()


def patient_for(request: HttpRequest, patient_id, perm: Perm) -> Patient:
    """The patient `patient_id` if this person may `perm` it; otherwise 404."""
    try:
        return patients_visible(request, perm).with_people().get(pk=patient_id)
    except (Patient.DoesNotExist, ValueError, ValidationError) as exc:  # a malformed id too
        raise Http404("No such patient.") from exc


def own_patient_record(request: HttpRequest) -> Patient:
    """The signed-in patient's own record in the active clinic."""
    ws = workspace(request)
    record = (
        Patient.objects.with_people().filter(clinic=ws.clinic, user=request.user).first()
        if ws.clinic
        else None
    )
    if record is None:
        raise Http404("No patient record for this account in this clinic.")
    return record


def can(request: HttpRequest, perm: Perm, patient: Patient) -> bool:
    """Whether the person may `perm` this (already loaded) patient; for showing links."""
    ws = workspace(request)
    if ws.clinic is None or patient.clinic_id != ws.clinic.id:
        return False
    if ws.is_staff:
        return True
    if perm is not Perm.VIEW_PROGRESS:
        return False
    if patient.user_id == request.user.pk:
        return True
    return ws.has_any(CARE_TEAM_ROLES) and any(
        m.user_id == request.user.pk for m in patient.care_team.all()
    )


def clinic_object(request: HttpRequest, queryset: QuerySet, **lookup):
    """One object of `queryset` that belongs to the active clinic, or 404.

    For clinic-owned records that are not reached through a patient (intakes before the runner is
    matched to a record, invitations, templates). The caller's decorator has checked the role.
    """
    clinic = workspace(request).clinic
    try:
        return queryset.get(clinic=clinic, **lookup)
    except (queryset.model.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404("Not found in this clinic.") from exc


# --- Who must see a patient's signals ---------------------------------------------------------
#
# Alerts, approvals waiting and notices to staff about a patient go to the responsible therapist;
# a patient without one belongs to the clinic's inbox (its admins and the therapists on duty),
# shown as unowned until someone takes it. Nothing is ever addressed to nobody.


def clinic_inbox(clinic: Clinic | int) -> QuerySet[User]:
    """The people who keep the clinic's inbox: its admins and the therapists on duty; when the
    clinic has neither, every active therapist of the clinic."""
    keepers = User.objects.filter(
        pk__in=Membership.objects.inbox().filter(clinic=clinic).values("user")
    )
    if not keepers.exists():
        therapists = Membership.objects.active().filter(clinic=clinic, role=Role.THERAPIST)
        keepers = User.objects.filter(pk__in=therapists.values("user"))
    return keepers.order_by("full_name", "id")


def signal_recipients(patient: Patient) -> list[User]:
    """The people who must see this patient's alerts, approvals and notices: the responsible
    therapist, else the clinic's inbox."""
    if patient.therapist_id is not None and patient.therapist.is_active:
        return [patient.therapist]
    return list(clinic_inbox(patient.clinic_id))


def signals_mine(request: HttpRequest, patient_path: str = "patient") -> Q:
    """A filter for the signals that are this person's in their lists ("mine"): those of their
    own patients and, when they keep the clinic's inbox, those of patients without an owner.

    `patient_path` leads from the listed model to its patient (e.g. "plan__patient"; "" for a
    list of patients).
    """
    prefix = f"{patient_path}__" if patient_path else ""
    mine = Q(**{f"{prefix}therapist": request.user})
    ws = workspace(request)
    if ws.clinic is None:
        return mine
    unowned = Q(**{f"{prefix}therapist__isnull": True}) | Q(
        **{f"{prefix}therapist__is_active": False}
    )
    if ws.keeps_inbox:
        return mine | unowned
    # Nobody keeps the inbox: every therapist does (as `clinic_inbox`). Asked inside the list's
    # own query, so a page's lists and the navigation's counts add no query for it.
    if Role.THERAPIST in ws.roles:
        return mine | (unowned & ~Exists(Membership.objects.inbox().filter(clinic=ws.clinic)))
    return mine
