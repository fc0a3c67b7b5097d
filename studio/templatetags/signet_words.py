"""Template filters that word English values stored by workers in the reader's language."""

from django import template

from studio.case_reason_words import case_reason_words
from studio.job_failure_words import job_failure_words

register = template.Library()


@register.filter
def failure_words(reason: str) -> str:
    return job_failure_words(reason or "")


@register.filter
def case_reason(reason: str) -> str:
    return case_reason_words(reason or "")
