"""Pieces every app's views share: a safe way back, and the clinic admin's policy pages."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from clinic import access, audit


def safe_next(request, default: str) -> str:
    """The page the form came from (`next`, a path on this site), else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def edit_clinic_policy(
    request,
    *,
    model,
    form_class,
    action: str,
    template: str,
    saved: str,
    field: str = "overrides",
    current=None,
    context: dict | None = None,
):
    """The clinic admin's page for one of the clinic's *policy* rows (one row per clinic).

    `field` is the row's JSON field of changed values; the form gets `current` (the row's
    effective values, by default that field) and returns the new ones from `overrides()`. A real
    change is saved and audited with its before and after in one transaction; bad input shows the
    form's messages and changes nothing.
    """
    clinic = access.workspace(request).clinic
    row, _ = model.objects.get_or_create(clinic=clinic)
    values = current(row) if current else getattr(row, field)
    form = form_class(request.POST or None, current=values)
    if request.method == "POST" and form.is_valid():
        before, after = dict(getattr(row, field)), form.overrides()
        if before != after:
            with transaction.atomic():
                setattr(row, field, after)
                row.updated_by = request.user
                row.save()
                audit.record(request, action, obj=row, detail={"before": before, "after": after})
        messages.success(request, saved)
        return redirect(request.path)
    return render(request, template, {"form": form, "row": row, **(context or {})})
