"""The runner's own data (issue 14 §5): everything of theirs, only theirs, as JSON and CSV in a
ZIP, audited; a constant number of queries however much they logged."""

import csv
import datetime as dt
import io
import json
import zipfile

import pytest
from django.urls import reverse

from clinic.models import AuditEvent
from intake.tests.factories import FOCAL_ANTERIOR_SHIN, submitted_intake
from notifications.models import CareMessage, Delivery, Kind
from notifications.tests.factories import DeliveryFactory, NotificationFactory
from rehab.models import patient_today
from rehab.tests import measure_factories
from rehab.tests.factories import ActivityFactory, active_plan, day_log, place
from reports.audit_trail import action_label
from reports.my_data import my_data_zip

SECTIONS = [
    "profile",
    "intakes",
    "intake_answers",
    "plans",
    "plan_history",
    "sessions_done",
    "daily_logs",
    "activities",
    "outcome_measures",
    "messages",
    "notices",
    "reminders_sent",
]


def unzip(content: bytes) -> tuple[dict, dict[str, list[dict]], str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = set(archive.namelist())
        assert names == {"README.txt", "my-data.json", *(f"csv/{s}.csv" for s in SECTIONS)}
        document = json.loads(archive.read("my-data.json"))
        tables = {
            name.removeprefix("csv/").removesuffix(".csv"): list(
                csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig")))
            )
            for name in names
            if name.startswith("csv/")
        }
        return document, tables, archive.read("README.txt").decode()


@pytest.fixture
def pats_record(pat, pia, alice):
    """pat: an intake, a plan that moved on once, two logs (one with a run and a note a
    spreadsheet would run as a formula), a message, a notice and reminders (one sent to his
    therapist about him). pia has a log and a message of her own."""
    today = patient_today(pat)
    submitted_intake(pat.clinic, pat, dict(FOCAL_ANTERIOR_SHIN))
    plan = active_plan(pat, start=today - dt.timedelta(days=10), by=alice)
    place(plan, 1, 0, on=today - dt.timedelta(days=3))
    day_log(pat, today - dt.timedelta(days=2), 3, notes="Sore after stairs")
    run = day_log(pat, today - dt.timedelta(days=1), 1, notes="=HYPERLINK(evil)")
    ActivityFactory(log=run, kind="run", distance_m=3000, duration_min=20)
    CareMessage.objects.create(patient=pat, sender=alice, text="Great week, Pat.")
    NotificationFactory(recipient=pat.user, patient=pat, title="Your plan moved on")
    DeliveryFactory(patient=pat, status=Delivery.Status.SENT, channel="sms")
    DeliveryFactory(patient=pat, kind=Kind.MISSED_LOGS_THERAPIST, recipient=alice, channel="in_app")
    measure_factories.response(pat, "lefs", today - dt.timedelta(days=9), 41)
    measure_factories.response(pat, "lefs", today - dt.timedelta(days=1), 55)
    day_log(pia, today - dt.timedelta(days=1), 2, notes="Pia's own note")
    CareMessage.objects.create(patient=pia, sender=alice, text="For Pia only.")
    return pat


def test_the_runner_downloads_all_their_data_as_json_and_csv(client, pats_record):
    pat = pats_record
    client.force_login(pat.user)
    response = client.get(reverse("my_data_download"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="rebound-my-data-')
    document, tables, readme = unzip(response.content)

    profile = document["profile"][0]
    assert (profile["first_name"], profile["last_name"]) == ("Pat", "Lane")
    assert profile["date_of_birth"] == pat.date_of_birth.isoformat()
    assert document["intakes"][0]["score"] == pat.intakes.get().score is not None
    answers = {(row["question"], row["answer"]) for row in document["intake_answers"]}
    assert ("region", "shin_front") in answers and ("pain_worst", 7) in answers
    assert [p["status"] for p in document["plans"]] == ["Active"]
    history = document["plan_history"]
    assert history[-1]["phase"] == "Cross-train" and history[-1]["change"] == "Advanced"
    assert [log["notes"] for log in document["daily_logs"]] == [
        "Sore after stairs",
        "=HYPERLINK(evil)",
    ]
    assert document["activities"] == [
        {
            "date": document["daily_logs"][1]["date"],
            "kind": "Run",
            "distance_m": 3000,
            "duration_min": 20,
            "effort_rpe": None,
        }
    ]
    assert [(m["measure"], m["total"]) for m in document["outcome_measures"]] == [
        ("LEFS", 41),
        ("LEFS", 55),
    ]
    assert sum(json.loads(document["outcome_measures"][1]["answers"])) == 55
    assert [m["text"] for m in document["messages"]] == ["Great week, Pat."]
    assert [n["title"] for n in document["notices"]] == ["Your plan moved on"]
    # The reminder to pat, not his therapist's notice about him.
    sent = {(d["kind"], d["channel"], d["status"]) for d in document["reminders_sent"]}
    assert ("Daily log reminder", "Text message", "Sent") in sent
    assert ("Plan approved", "E-mail", "Skipped") in sent  # activating the plan: no consent
    assert not any("(therapist)" in kind for kind, _channel, _status in sent)
    assert len(sent) == Delivery.objects.filter(patient=pat).count() - 1

    # The CSVs hold the same rows; a formula is written as text.
    assert len(tables["daily_logs"]) == 2 and "activities" not in tables["daily_logs"][0]
    assert tables["daily_logs"][1]["notes"] == "'=HYPERLINK(evil)"
    assert tables["daily_logs"][0]["swelling"] == "no"
    assert tables["messages"][0]["text"] == "Great week, Pat."
    assert tables["profile"][0]["last_name"] == "Lane"
    assert "csv/daily_logs.csv (2 rows)" in readme and "clinical notes" in readme

    event = AuditEvent.objects.get(action="patient.data_download")
    assert (event.actor, event.patient) == (pat.user, pat)
    assert event.detail["rows"]["daily_logs"] == 2
    assert event.detail["bytes"] == len(response.content)
    assert action_label(event.action) == "Downloaded their own data"  # the audit trail's words


def test_another_patient_gets_only_their_own_data(client, pats_record, pia):
    client.force_login(pia.user)
    document, _tables, _readme = unzip(client.get(reverse("my_data_download")).content)
    assert document["profile"][0]["first_name"] == "Pia"
    assert [log["notes"] for log in document["daily_logs"]] == ["Pia's own note"]
    assert document["outcome_measures"] == []
    assert [m["text"] for m in document["messages"]] == ["For Pia only."]
    everything = json.dumps(document)
    for of_pat in ("Lane", "Sore after stairs", "HYPERLINK", "Great week", "shin_front"):
        assert of_pat not in everything
    assert AuditEvent.objects.get(action="patient.data_download").patient == pia


def test_the_url_names_no_one_so_a_query_string_cannot_pick_another_record(
    client, pats_record, pia
):
    client.force_login(pia.user)
    response = client.get(reverse("my_data_download"), {"patient": str(pats_record.pk)})
    document, _tables, _readme = unzip(response.content)
    assert document["profile"][0]["first_name"] == "Pia"


@pytest.mark.parametrize("who", ["alice", "adam", "coach_cole"])
def test_staff_and_the_care_team_cannot_download_a_runners_data(client, request, who, pat):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("my_data_download")).status_code == 403
    assert not AuditEvent.objects.filter(action="patient.data_download").exists()


def test_the_account_page_offers_the_download_to_patients_only(client, pat, alice):
    client.force_login(pat.user)
    page = client.get(reverse("account_security")).content.decode()
    assert reverse("my_data_download") in page and "Download my data" in page
    client.force_login(alice)
    page = client.get(reverse("account_security")).content.decode()
    assert reverse("my_data_download") not in page


def test_the_queries_do_not_grow_with_the_data(client, pats_record, django_assert_max_num_queries):
    pat = pats_record
    client.force_login(pat.user)
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("my_data_download"))
    budget = len(few.captured_queries)  # now: the connection's log is a bounded deque
    today = patient_today(pat)
    for n in range(3, 60):
        log = day_log(pat, today - dt.timedelta(days=n), 2)
        ActivityFactory(log=log, kind="walk", distance_m=1000, duration_min=15)
        DeliveryFactory(patient=pat, due_at=log.created_at - dt.timedelta(days=n))
        CareMessage.objects.create(patient=pat, text=f"Message {n}")
    with django_assert_max_num_queries(budget):
        response = client.get(reverse("my_data_download"))
    document, _tables, _readme = unzip(response.content)
    assert len(document["daily_logs"]) == 59 and len(document["activities"]) == 58


def test_two_years_of_a_runner_is_a_small_zip_made_quickly(pat):
    """The reason the ZIP is built in memory on the request: two years of daily logs with an
    activity each and three reminders a day stay far under a megabyte (34 KB)."""
    today = patient_today(pat)
    for n in range(730):
        log = day_log(pat, today - dt.timedelta(days=n), n % 5, notes="Felt fine" if n % 3 else "")
        ActivityFactory(log=log, kind="run", distance_m=4000 + n, duration_min=25)
    Delivery.objects.bulk_create(
        DeliveryFactory.build(
            patient=pat, due_at=log.created_at - dt.timedelta(hours=8 * n), key=""
        )
        for n in range(3 * 730)
    )
    content, counts = my_data_zip(pat)  # 0.8 s at a load of 8 on 2 cores (not asserted: load)
    assert counts["daily_logs"] == 730 and counts["reminders_sent"] == 2190
    assert len(content) < 1_000_000, len(content)
