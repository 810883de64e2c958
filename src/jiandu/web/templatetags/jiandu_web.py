"""Template filters of the pages: `cite` names a rule by title and article."""

from django import template

from jiandu.rules.citations import cite as _cite

register = template.Library()


@register.filter
def cite(value: object) -> str:
    """A citation (or text holding one) without the seed file's name."""
    return _cite(value)
