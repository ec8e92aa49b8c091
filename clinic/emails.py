"""All e-mail Rebound sends goes through here, so tests and providers have one seam."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def send_templated(
    *, to: str, template: str, context: dict, headers: dict | None = None
) -> EmailMultiAlternatives:
    """Render `templates/emails/<template>.{subject.txt,txt,html}` and send one message.

    `headers` adds e-mail headers (List-Unsubscribe, Message-ID). Returns the sent message, whose
    `anymail_status` carries the provider's message id when an Anymail backend sent it.
    """
    context = {"site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"emails/{template}.subject.txt", context).strip()
    text = render_to_string(f"emails/{template}.txt", context)
    html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [to], headers=headers
    )
    message.attach_alternative(html, "text/html")
    message.send()
    return message
