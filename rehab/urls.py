"""URLs of the rehab app; every view is wrapped by clinic.access."""

urlpatterns = []
