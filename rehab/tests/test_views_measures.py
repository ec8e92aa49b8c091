"""Outcome measures in the app: the runner answers the LEFS on Today's prompt, the therapist
enters one in clinic, a clinic admin pastes the wording, and the patient page shows the change
since baseline against the meaningful change, to staff and the care team, in one query."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from clinic.models import AuditEvent
from rehab.measures import queries
from rehab.models import MeasureResponse, MeasureWording, patient_today
from rehab.tests import measure_factories


def answers(values, submission="5b0f2f0e-4c2b-4a57-9a55-6c2f4b7b8b01"):
    data = {f"item_{n}": str(v) for n, v in enumerate(values, start=1)}
    data["submission"] = submission
    return data


@pytest.fixture
def worded(clinic_a):
    measure_factories.wording(clinic_a, "lefs")
    measure_factories.wording(clinic_a, "uwri")


def test_today_prompts_the_due_questionnaires_once_the_clinic_set_them_up(client, pat, clinic_a):
    client.force_login(pat.user)
    assert "questionnaire" not in client.get(reverse("today")).content.decode()
    measure_factories.wording(clinic_a, "lefs")
    page = client.get(reverse("today")).content.decode()
    assert "Answer the LEFS" in page and "Answer the UWRI" not in page
    measure_factories.response(pat, "lefs", patient_today(pat), 40)
    assert "Answer the LEFS" not in client.get(reverse("today")).content.decode()


def test_a_runner_answers_the_lefs_and_a_replay_is_kept_once(client, pat, worded):
    client.force_login(pat.user)
    page = client.get(reverse("my_measure_fill", args=["lefs"])).content.decode()
    assert "1. Activity 1" in page and "No difficulty" in page
    data = answers([4] * 10 + [2] * 6 + [1] * 4)
    first = client.post(reverse("my_measure_fill", args=["lefs"]), data)
    assert first.status_code == 302 and first.url == reverse("my_measures")
    again = client.post(reverse("my_measure_fill", args=["lefs"]), data)
    assert again.status_code == 302
    saved = MeasureResponse.objects.get(patient=pat)
    assert (saved.total, saved.occasion_kind, saved.in_clinic) == (56, "baseline", False)
    assert saved.answers[:3] == [4, 4, 4]
    assert "56 of 80" in client.get(reverse("my_measures")).content.decode()


def test_an_unanswered_item_is_named_in_the_error_summary(client, pat, worded):
    client.force_login(pat.user)
    response = client.post(reverse("my_measure_fill", args=["lefs"]), answers([4] * 19))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="error-summary"' in page and "20. Activity 20" in page
    assert "Choose one answer." in page and 'aria-invalid="true"' in page
    assert not MeasureResponse.objects.exists()


def test_answering_again_the_same_day_replaces_that_days_answers(client, pat, worded):
    client.force_login(pat.user)
    url = reverse("my_measure_fill", args=["uwri"])
    client.post(url, answers([1] * 9, "5b0f2f0e-4c2b-4a57-9a55-6c2f4b7b8b02"))
    client.post(url, answers([2] * 9, "5b0f2f0e-4c2b-4a57-9a55-6c2f4b7b8b03"))
    assert list(MeasureResponse.objects.values_list("total", flat=True)) == [18]


def test_a_runner_cannot_answer_a_questionnaire_without_wording(client, pat):
    client.force_login(pat.user)
    assert client.get(reverse("my_measure_fill", args=["lefs"])).status_code == 404
    assert client.get(reverse("my_measure_fill", args=["sf36"])).status_code == 404


def test_the_therapist_enters_a_paper_form_in_clinic_audited(client, alice, pat):
    client.force_login(alice)
    url = reverse("patient_measure_fill", args=[pat.pk, "uwri"])
    page = client.get(url).content.decode()
    assert "Item 9" in page and "enter the points" in page
    response = client.post(url, answers([3] * 9))
    assert response.url == reverse("patient_detail", args=[pat.pk]) + "#measures"
    saved = MeasureResponse.objects.get(patient=pat)
    assert (saved.total, saved.in_clinic, saved.entered_by) == (27, True, alice)
    assert AuditEvent.objects.filter(action="measure.record", patient=pat).count() == 1


def test_the_patient_page_shows_change_and_meaningfulness(client, alice, coach_cole, pat):
    today = patient_today(pat)
    measure_factories.response(pat, "lefs", today - dt.timedelta(days=56), 38)
    measure_factories.response(pat, "lefs", today - dt.timedelta(days=28), 44)
    measure_factories.response(pat, "lefs", today, 50)
    measure_factories.response(pat, "uwri", today - dt.timedelta(days=56), 10)
    measure_factories.response(pat, "uwri", today, 16)
    for person in (alice, coach_cole):
        client.force_login(person)
        page = client.get(reverse("patient_detail", args=[pat.pk])).content.decode()
        assert "Outcome measures" in page
        assert "+12 since" in page and "Meaningful improvement" in page  # LEFS 50 - 38 >= 9
        assert "+6 since" in page and "Minimal important change" in page  # UWRI 5 <= 6 < 8
        assert 'data-measure-chart="lefs"' in page and "Show LEFS as a table" in page
    assert "Enter LEFS" not in page  # the coach sees scores, cannot enter them


def test_the_panel_costs_one_query_whatever_the_history(pat, alice, django_assert_max_num_queries):
    for n in range(12):
        measure_factories.response(
            pat, "lefs", patient_today(pat) - dt.timedelta(days=28 * n), 51 - n
        )
    request = RequestFactory().get("/")
    request.user = alice
    request.session = {}
    template = Template("{% load rehab_measures %}{% patient_measures_panel patient %}")
    from clinic import access

    access.workspace(request)  # loaded once per request anyway, by the page's decorator
    with django_assert_max_num_queries(1):
        html = template.render(Context({"request": request, "patient": pat}))
    assert "+11 since" in html
    with django_assert_max_num_queries(1):
        assert len(queries.measures_panel(pat).series[0].points) == 12


def test_an_admin_pastes_the_wording_validated_and_audited(client, adam):
    client.force_login(adam)
    url = reverse("measure_wording_edit", args=["lefs"])
    short = "\n".join(f"Activity {n}" for n in range(1, 20))
    bad = client.post(url, {"permission": "Licence 42", "items": short, "scale": "a\nb\nc\nd\ne"})
    assert bad.status_code == 400
    assert "has 20 items; this text has 19" in bad.content.decode()
    assert not MeasureWording.objects.exists()
    good = client.post(
        url,
        {
            "permission": "Licence 42",
            "items": measure_factories.LEFS_ITEMS,
            "scale": measure_factories.LEFS_SCALE,
        },
    )
    assert good.status_code == 302
    row = MeasureWording.objects.get()
    assert row.wording.items[19].text == "Activity 20" and row.permission == "Licence 42"
    assert AuditEvent.objects.filter(action="measure_wording.save").count() == 1
    assert "Activity 20" in client.get(url).content.decode()  # shown again to correct
    assert "Licence 42" in client.get(reverse("measure_wordings")).content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"submission": "not-a-uuid", **{f"item_{n}": "3" for n in range(1, 10)}},
        {"submission": "5b0f2f0e-4c2b-4a57-9a55-6c2f4b7b8b09", "item_1": "9", "item_2": "x"},
        {"submission": "5b0f2f0e-4c2b-4a57-9a55-6c2f4b7b8b09", "item_1": ["1", "2"]},
        {"submission": "5b0f2f0e-4c2b-4a57-9a55-6c2f4b7b8b09", "item_1": "\x00" * 5000},
    ],
)
def test_whatever_is_posted_no_server_error_and_nothing_saved(client, alice, pat, data):
    client.force_login(alice)
    response = client.post(reverse("patient_measure_fill", args=[pat.pk, "uwri"]), data)
    assert response.status_code == 400
    assert not MeasureResponse.objects.exists()


def test_a_wording_form_of_nonsense_is_refused_beside_its_field(client, adam):
    client.force_login(adam)
    url = reverse("measure_wording_edit", args=["uwri"])
    response = client.post(url, {"permission": "x", "items": "\n\n\n" + "a\n" * 3})
    assert response.status_code == 400
    assert "has 9 items; this text has 1" in response.content.decode()
    assert client.post(url, {}).status_code == 400
    assert not MeasureWording.objects.exists()
