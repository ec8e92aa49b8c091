"""URLs of reminders and notifications; every view is wrapped by clinic.access."""

from django.urls import path

from notifications import views

urlpatterns = [
    path("me/reminders/", views.reminder_preferences, name="reminder_preferences"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read/", views.notifications_read_all, name="notifications_read_all"),
    path(
        "notifications/<uuid:notification_id>/",
        views.notification_open,
        name="notification_open",
    ),
    path(
        "patients/<uuid:patient_id>/deliveries/",
        views.patient_deliveries,
        name="patient_deliveries",
    ),
    path(
        "patients/<uuid:patient_id>/message/",
        views.care_message_create,
        name="care_message_create",
    ),
    path("clinic/deliveries/failed/", views.delivery_failures, name="delivery_failures"),
    path(
        "clinic/deliveries/<int:delivery_id>/retry/",
        views.delivery_retry,
        name="delivery_retry",
    ),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("unsubscribe/<str:token>/undo/", views.unsubscribe_undo, name="unsubscribe_undo"),
]
