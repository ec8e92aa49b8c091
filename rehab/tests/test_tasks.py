"""The nightly alert evaluation: one thin task per active patient, each idempotent."""

from unittest import mock

from django.utils import timezone

from rehab import tasks
from rehab.models import patient_today


def test_the_nightly_job_queues_one_evaluation_per_active_patient(pat, pia, bea):
    pia.discharged_at = timezone.now()
    pia.save()
    with mock.patch.object(tasks.alerts_evaluate_patient, "apply_async") as queue:
        assert tasks.alerts_evaluate_nightly.run() == 2
    queued = {call.args[0][0] for call in queue.call_args_list}
    assert queued == {str(pat.pk), str(bea.pk)}


def test_a_patients_alerts_are_evaluated_as_of_their_own_today(pat):
    with mock.patch.object(tasks, "alerts_evaluate", return_value=[object()]) as evaluate:
        assert tasks.alerts_evaluate_patient.run(str(pat.pk)) == 1
    patient = evaluate.call_args.args[0]
    assert patient.pk == pat.pk
    assert evaluate.call_args.kwargs == {"today": patient_today(pat)}


def test_a_discharged_or_deleted_patient_is_left_alone(pat):
    pat.discharged_at = timezone.now()
    pat.save()
    with mock.patch.object(tasks, "alerts_evaluate") as evaluate:
        assert tasks.alerts_evaluate_patient.run(str(pat.pk)) == 0
        assert tasks.alerts_evaluate_patient.run("00000000-0000-0000-0000-000000000000") == 0
    evaluate.assert_not_called()
