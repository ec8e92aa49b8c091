"""URLs of the intake app; every view is wrapped by clinic.access."""

urlpatterns = []
