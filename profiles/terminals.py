"""Which station this terminal is, read from its long-lived cookie; a terminal is in kiosk mode.

The cookie is set once at station set-up (sessions/web/terminal.py) and survives sign-outs and
shift changes. Pages below the sessions app need it too: the sign-in page puts the badge first
on a terminal, and the top bar of a packer on a terminal is a kiosk (no Sessions, Dashboard or
Admin links, sign-out by a key or a badge).
"""

from profiles.models import Station
from profiles.roles import is_supervisor

STATION_COOKIE = "packer_station"
COOKIE_MAX_AGE = 5 * 365 * 24 * 3600


def current_station(request):
    """The active Station named by this terminal's cookie, or None."""
    name = (request.COOKIES.get(STATION_COOKIE) or "").strip()
    if not name:
        return None
    return Station.objects.filter(active=True, name=name).first()


def is_terminal(request):
    """This browser was set up as a station terminal (its cookie names an active station)."""
    return current_station(request) is not None


def is_kiosk(request):
    """A packer (not a supervisor or admin) signed in at a station terminal."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return not is_supervisor(user) and not user.is_staff and is_terminal(request)
