"""Submission ids: a replayed form post is recognised and answered with the first result.

Every form that creates rows carries a hidden, random submission id (`SubmissionIdField`). The
view does its writes inside `once(...)`, which claims the id in the same transaction: the first
post with that id does the work and records where it sent the person and what it told them; a
replay — a double tap, a retry after a time-out, the back button, the same post from two tabs at
once — is answered with that first result and changes nothing. Concurrent posts with one id are
serialised by the unique index: the second waits for the first to commit, then finds its result.

    try:
        with submissions.once(request, form.cleaned_data["submission"], "daily-log") as sub:
            ...write...
            sub.answer(reverse("my_progress"), "Saved.")
    except submissions.Replayed as replay:
        return replay.response(request)
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django import forms
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from clinic.models import Submission

FIELD_NAME = "submission"
OUT_OF_DATE = "This page is out of date. Reload it and enter your answers again."


class SubmissionIdField(forms.UUIDField):
    """The hidden submission id; a fresh one each time an unbound form is shown."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("initial", uuid.uuid4)
        kwargs.setdefault("label", "This page")
        kwargs.setdefault("error_messages", {"required": OUT_OF_DATE, "invalid": OUT_OF_DATE})
        super().__init__(**kwargs)

    def bound_data(self, data, initial):
        """A page shown again after a post without a usable id carries a fresh one."""
        try:
            uuid.UUID(str(data))
        except ValueError:
            return uuid.uuid4()
        return data


class Replayed(Exception):
    """The post repeats one already done; `response()` answers it as the first time."""

    def __init__(self, submission: Submission):
        super().__init__(f"{submission.scope} {submission.key} was already submitted")
        self.submission = submission

    def response(self, request, fallback: str = "/"):
        sub = self.submission
        if sub.pk is None:
            messages.error(request, OUT_OF_DATE)
        elif sub.message:
            messages.info(request, f"{sub.message} (You sent this twice; it was kept once.)")
        target = sub.redirect_to
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = fallback
        return redirect(target or fallback)


class _Claim:
    def __init__(self, submission: Submission):
        self.submission = submission

    def answer(self, redirect_to: str, message: str = "") -> None:
        """What the first post answered: where it sent the person and what it said."""
        self.submission.redirect_to = redirect_to[:300]
        self.submission.message = message
        self.submission.save(update_fields=["redirect_to", "message"])


def replayed(request, scope: str, *, prefix: str = "") -> Submission | None:
    """The earlier submission a post repeats, looked up before its form is validated.

    A replay must be recognised before validation: the form may no longer be valid once its
    first post has been applied (a day logged already, a check recorded already). `prefix` is
    the form's prefix, when it has one.
    """
    name = f"{prefix}-{FIELD_NAME}" if prefix else FIELD_NAME
    try:
        key = uuid.UUID(str(request.POST.get(name, "")))
    except ValueError:
        return None
    user = request.user if request.user.is_authenticated else None
    return Submission.objects.filter(scope=scope, key=key, user=user).first()


@contextmanager
def once(request, key: uuid.UUID, scope: str) -> Iterator[_Claim]:
    """Do the block's writes once per submission id, in one transaction with the claim.

    Raises Replayed (with nothing written) when the id was used already, by this person.
    """
    user = request.user if request.user.is_authenticated else None
    with transaction.atomic():
        try:
            with transaction.atomic():
                submission = Submission.objects.create(scope=scope, key=key, user=user)
        except IntegrityError:
            first = Submission.objects.filter(scope=scope, key=key, user=user).first()
            if first is None:  # someone else's id: refuse to do it or to show their result
                raise Replayed(Submission(scope=scope, key=key, message=OUT_OF_DATE)) from None
            raise Replayed(first) from None
        yield _Claim(submission)
