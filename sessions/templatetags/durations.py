"""`{% load durations %}{{ seconds|duration }}`: a duration in the page's language."""

from django import template

from sessions.durations import format_duration

register = template.Library()


@register.filter
def duration(seconds):
    return format_duration(seconds)
