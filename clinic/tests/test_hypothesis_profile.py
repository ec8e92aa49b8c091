"""Property tests hold on a busy machine: no wall-clock deadline, no "too slow" health check."""

from hypothesis import HealthCheck, settings


def test_the_project_profile_is_loaded():
    assert settings.default.deadline is None
    assert HealthCheck.too_slow in settings.default.suppress_health_check
