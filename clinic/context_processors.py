"""Navigation context: the clinic the person works in and the links their roles open."""

from clinic.access import workspace


def navigation(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"ws": workspace(request)}
