"""Small display filters for templates; no logic beyond presentation."""

from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`mapping[key]`, or "" when absent: for label lookups by code."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""
