from django import template

from api.forms import ApiTokenForm
from api.models import ApiToken

register = template.Library()

TOKENS_SHOWN = 20


@register.inclusion_tag("api/includes/token_panel.html", takes_context=True)
def api_token_panel(context):
    """The account page's API tokens: the person's newest ones and the form for a new one."""
    user = context["request"].user
    tokens = list(ApiToken.objects.filter(user=user).select_related("clinic")[:TOKENS_SHOWN])
    for token in tokens:
        token.user = user  # status() compares with the owner's credentials: no query per token
    return {"tokens": tokens, "form": ApiTokenForm(), "request": context["request"]}
