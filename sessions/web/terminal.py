"""Which station this terminal is: chosen once from the admin's Station list, then remembered.

The choice is a long-lived cookie (the old app's "PC name"), so it survives sign-outs and
shift changes; the station page also keeps it in localStorage for its own use.
"""

from django import forms
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from profiles.models import Station
from profiles.terminals import COOKIE_MAX_AGE, STATION_COOKIE, current_station

__all__ = ["COOKIE_MAX_AGE", "STATION_COOKIE", "current_station", "station_setup"]


class StationChoiceForm(forms.Form):
    station = forms.ModelChoiceField(
        label=_("This terminal is"), queryset=Station.objects.filter(active=True),
        empty_label=None, to_field_name="name",
    )


def station_setup(request):
    """Choose (or change) the station name of this terminal."""
    station = current_station(request)
    form = StationChoiceForm(request.POST or None, initial={"station": station})
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if request.method == "POST" and form.is_valid():
        response = redirect(next_url or "station-pick")
        response.set_cookie(STATION_COOKIE, form.cleaned_data["station"].name,
                            max_age=COOKIE_MAX_AGE, samesite="Lax")
        return response
    return render(request, "station/setup.html", {
        "form": form, "station": station, "next": next_url,
        "has_stations": Station.objects.filter(active=True).exists(),
    })
