from django import template

register = template.Library()


@register.simple_tag
def query_replace(request, key: str, value) -> str:
    """The current query string with one parameter set (or removed when empty)."""
    params = request.GET.copy()
    params.pop("pagina", None)
    if value in ("", None):
        params.pop(key, None)
    else:
        params[key] = value
    return params.urlencode()


@register.filter
def answer_rows(registration) -> list[tuple[str, str]]:
    """The registration's answers as (question, answer), in the event's question order."""
    rows = []
    for question in registration.event.questions.all():
        value = registration.answers.get(question.key)
        if value:
            rows.append((question.label, value))
    return rows
