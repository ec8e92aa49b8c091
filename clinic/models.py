"""The core every app leans on: clinics, people, roles in a clinic, patients, care teams, audit."""

import uuid
import zoneinfo
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

TIME_ZONE_CHOICES = [
    (name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())
]


class Role(models.TextChoices):
    ADMIN = "admin", "Clinic admin"
    THERAPIST = "therapist", "Physical therapist"
    PATIENT = "patient", "Patient"
    COACH = "coach", "Coach"
    NUTRITIONIST = "nutritionist", "Nutritionist"


STAFF_ROLES = (Role.ADMIN, Role.THERAPIST)
CARE_TEAM_ROLES = (Role.COACH, Role.NUTRITIONIST)


# Sign-in throttling for e-mail addresses of no clinic, and the defaults of new clinics.
LOCKOUT_FAILURES_DEFAULT = 5
LOCKOUT_MINUTES_DEFAULT = 15


class DistanceUnit(models.TextChoices):
    KM = "km", "Kilometres"
    MI = "mi", "Miles"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who can sign in. The e-mail address is the login."""

    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=150)
    time_zone = models.CharField(max_length=64, choices=TIME_ZONE_CHOICES, default="UTC")
    is_staff = models.BooleanField(
        "Django admin access",
        default=False,
        help_text="Lets the person use the Django admin site. Unrelated to clinic roles.",
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    session_version = models.PositiveIntegerField(
        default=0,
        editable=False,
        help_text="Part of every session's signature: raising it ends the person's sessions.",
    )

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.email.strip().lower()

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        """The first name, skipping a title such as "Dr." ("Dr. Priya Raman" → "Priya")."""
        words = [w for w in self.full_name.split() if not w.endswith(".")]
        return words[0] if words else (self.full_name or self.email)

    # Django keeps this hash in the session and signs the person out when it changes. Django hashes
    # the password; Rebound adds `session_version`, so a role change, a suspension or a reset of
    # the second factor ends every session too.
    def _session_hash(self, secret=None) -> str:
        return salted_hmac(
            "clinic.User.session_hash",
            f"{self.password}:{self.session_version}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def get_session_auth_hash(self):
        return self._session_hash()

    def get_session_auth_fallback_hash(self):
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(secret)

    def end_sessions(self) -> None:
        """Sign the person out everywhere (the caller may keep the current session alive)."""
        User.objects.filter(pk=self.pk).update(session_version=F("session_version") + 1)
        self.refresh_from_db(fields=["session_version"])

    def second_factor_facts(self) -> tuple[bool, bool]:
        """(enrolled, required) for two-step verification, in one query.

        Enrolled: a confirmed authenticator or backup codes. Required: an active admin or
        therapist role in a clinic that requires it, or Django admin access while new clinics
        require it by default (STAFF_2FA_DEFAULT).
        """
        facts = (
            User.objects.filter(pk=self.pk)
            .annotate(
                has_totp=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
                has_static=Exists(StaticDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
                required_by_clinic=Exists(
                    Membership.objects.active().filter(
                        user=OuterRef("pk"), role__in=STAFF_ROLES, clinic__require_staff_2fa=True
                    )
                ),
            )
            .values("has_totp", "has_static", "required_by_clinic", "is_staff")
            .get()
        )
        enrolled = facts["has_totp"] or facts["has_static"]
        required = facts["required_by_clinic"] or (facts["is_staff"] and settings.STAFF_2FA_DEFAULT)
        return enrolled, required

    def second_factor_required(self) -> bool:
        return self.second_factor_facts()[1]

    def has_second_factor(self) -> bool:
        return self.second_factor_facts()[0]

    def remove_second_factor(self) -> None:
        """Delete the authenticator and backup codes; the person enrols again if required."""
        TOTPDevice.objects.filter(user=self).delete()
        StaticDevice.objects.filter(user=self).delete()

    def signs_out_when_idle(self) -> bool:
        """Staff and care-team members see other people's records, so idle sessions end."""
        return self.is_staff or self.memberships.active().exclude(role=Role.PATIENT).exists()


def staff_2fa_default() -> bool:
    return settings.STAFF_2FA_DEFAULT


class Clinic(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(unique=True)
    time_zone = models.CharField(max_length=64, choices=TIME_ZONE_CHOICES, default="UTC")
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    require_staff_2fa = models.BooleanField(
        "require two-step verification of admins and therapists",
        default=staff_2fa_default,
        help_text="They sign in with a password and a code from an authenticator app.",
    )
    lockout_failures = models.PositiveSmallIntegerField(
        "failed sign-ins before a lock",
        default=LOCKOUT_FAILURES_DEFAULT,
        validators=[MinValueValidator(3), MaxValueValidator(10)],
        help_text="Wrong passwords in a row, for one account from one address.",
    )
    lockout_minutes = models.PositiveSmallIntegerField(
        "minutes locked",
        default=LOCKOUT_MINUTES_DEFAULT,
        validators=[MinValueValidator(5), MaxValueValidator(24 * 60)],
        help_text="How long that account stays locked from that address. An admin can unlock.",
    )
    # The clinic's logo on progress reports: a PNG re-encoded by clinic.logos (never the file
    # uploaded), under MEDIA_ROOT, named by the clinic and a random token.
    logo = models.FileField(upload_to="clinic-logos/", blank=True, max_length=200)
    logo_updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True, user__is_active=True)

    def staff(self):
        return self.filter(role__in=STAFF_ROLES)

    def inbox(self):
        """The roles that keep a clinic's inbox: its admins and the therapists on duty."""
        return self.active().filter(Q(role=Role.ADMIN) | Q(role=Role.THERAPIST, on_duty=True))


class Membership(models.Model):
    """A person's role in one clinic. A person may hold several roles, in several clinics."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    on_duty = models.BooleanField(
        "on duty",
        default=False,
        help_text="A therapist on duty sees the clinic's inbox: the alerts, approvals and notices "
        "of patients without a responsible therapist.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["clinic__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "clinic", "role"], name="one_role_once_per_clinic"
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} at {self.clinic}"

    def set_active(self, active: bool) -> None:
        """Suspend or restore this role. The person's sessions end, so their access is rebuilt."""
        self.is_active = active
        self.save(update_fields=["is_active"])
        self.user.end_sessions()


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INTERSEX = "intersex", "Intersex"
    UNDISCLOSED = "undisclosed", "Prefer not to say"


class PatientQuerySet(models.QuerySet):
    def active(self):
        return self.filter(discharged_at__isnull=True)

    def for_care_team_member(self, user):
        return self.filter(care_team__user=user)

    def with_people(self):
        return self.select_related("clinic", "therapist", "user").prefetch_related(
            models.Prefetch("care_team", queryset=CareTeamMember.objects.select_related("user"))
        )


class Patient(models.Model):
    """A runner under a clinic's care. May exist before the runner has an account."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="patients")
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="patient_records"
    )
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=12, choices=Sex.choices)
    menstrual_questions_apply = models.BooleanField(
        default=False,
        help_text="Ask the menstrual-health items of the energy-availability screen.",
    )
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    time_zone = models.CharField(max_length=64, choices=TIME_ZONE_CHOICES, default="UTC")
    distance_unit = models.CharField(
        max_length=2, choices=DistanceUnit.choices, default=DistanceUnit.KM
    )
    reminder_consent = models.BooleanField(
        "consents to reminders",
        default=False,
        help_text="Reminders are only ever sent with the patient's consent.",
    )
    reminder_consent_at = models.DateTimeField(null=True, blank=True)
    therapist = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="caseload",
        help_text="The responsible physical therapist.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    discharged_at = models.DateTimeField(null=True, blank=True)
    # Kept by rehab in the transaction of each write that changes them
    # (`rehab.services.patient_signals_refresh`), so the caseload orders by an index.
    open_alert_count = models.PositiveIntegerField(default=0, db_default=0, editable=False)
    last_log_date = models.DateField(null=True, blank=True, editable=False)

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["clinic", "last_name", "first_name"]),
            models.Index(fields=["therapist", "discharged_at"]),
            # The caseload's order (open alerts first, then by name), one page read from each.
            models.Index(
                fields=[
                    "clinic",
                    "therapist",
                    "-open_alert_count",
                    "last_name",
                    "first_name",
                    "id",
                ],
                condition=Q(discharged_at__isnull=True),
                name="patient_caseload_mine",
            ),
            models.Index(
                fields=["clinic", "-open_alert_count", "last_name", "first_name", "id"],
                condition=Q(discharged_at__isnull=True),
                name="patient_caseload_clinic",
            ),
            # The navigation's count of open alerts sums the few patients that have any.
            models.Index(
                fields=["clinic", "therapist"],
                include=["open_alert_count"],
                condition=Q(open_alert_count__gt=0),
                name="patient_open_alerts",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "user"],
                condition=Q(user__isnull=False),
                name="one_patient_record_per_user_per_clinic",
            )
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def initials(self):
        return f"{self.first_name[:1]}{self.last_name[:1]}".upper()

    def age(self, on: date | None = None) -> int:
        on = on or timezone.localdate()
        born = self.date_of_birth
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))

    @property
    def is_active(self):
        return self.discharged_at is None

    def set_reminder_consent(self, consent: bool) -> None:
        if consent and not self.reminder_consent:
            self.reminder_consent_at = timezone.now()
        if not consent:
            self.reminder_consent_at = None
        self.reminder_consent = consent


class CareTeamMember(models.Model):
    """A coach or nutritionist on a patient's care team: sees plan and progress, not intake."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="care_team")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="care_teams")
    role = models.CharField(max_length=20, choices=[(r.value, r.label) for r in CARE_TEAM_ROLES])
    added_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["role", "user__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "user"], name="one_care_team_seat_per_person"
            )
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}) for {self.patient}"


def invitation_expiry():
    return timezone.now() + timedelta(days=settings.INVITATION_MAX_AGE_DAYS)


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """An e-mailed, signed, single-use link that lets a person set a password and join a clinic."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    full_name = models.CharField(max_length=150)
    role = models.CharField(max_length=20, choices=Role.choices)
    patient = models.ForeignKey(
        Patient, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    invited_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation of {self.email} as {self.get_role_display()} to {self.clinic}"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class AuditEvent(models.Model):
    """An append-only record of who read, exported or changed what. Never edited or deleted."""

    clinic = models.ForeignKey(
        Clinic, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    action = models.CharField(max_length=60)
    patient = models.ForeignKey(
        Patient, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["clinic", "-at"]),
            models.Index(fields=["patient", "-at"]),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action}"


class Submission(models.Model):
    """A form post that created or changed rows, kept by the id its form carried.

    A form that creates rows is rendered with a fresh random id (clinic.submissions); the first
    post with that id does the work and stores what it answered, and a replay (double tap, retry
    after a timeout, the back button) is answered the same way without doing it again.
    """

    scope = models.CharField(max_length=40)
    key = models.UUIDField()
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="submissions"
    )
    redirect_to = models.CharField(max_length=300, blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="one_submission_per_key"),
        ]

    def __str__(self):
        return f"{self.scope} {self.key}"
