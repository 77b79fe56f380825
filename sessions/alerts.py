"""Floor alerts a supervisor deals with: acknowledge one, mute a kind, raise a printer failure.

Which alerts exist is a read (sessions.reads.floor_alerts); this module changes what they
depend on and tells every floor screen (sessions.live.publish). An acknowledgement is the
floor's: the alert leaves every supervisor's screen (the database keeps one per occurrence).
A mute is one supervisor's: that kind makes no sound on their floor view.

`raise_printer_failure` is how printing reports a printer that did not print (a refused
connection, a timeout, an error answer): it stores the failure and alerts the floor.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from profiles.roles import is_supervisor
from sessions.errors import Forbidden, InvalidRequest
from sessions.live.publish import publish_floor
from sessions.models import AlertAcknowledgement, AlertKind, AlertMute, PrinterFailure

KEY_MAX = 200


def _kind(value):
    if value not in AlertKind.values:
        raise InvalidRequest(_("Unknown kind of alert."))
    return value


def _supervisor(user):
    if not is_supervisor(user):
        raise Forbidden(_("Only a supervisor may do this."))


def acknowledge(kind, key, *, by_user):
    """The alert `kind`/`key` is dealt with; acknowledging it twice is not an error."""
    _supervisor(by_user)
    kind, key = _kind(kind), str(key or "").strip()
    if not key or len(key) > KEY_MAX:
        raise InvalidRequest(_("Which alert? Its key is missing."))
    try:
        with transaction.atomic():
            ack, _created = AlertAcknowledgement.objects.get_or_create(
                kind=kind, key=key, defaults={"by_user": by_user})
            publish_floor(None, summary=True)
    except IntegrityError:  # acknowledged by another supervisor at the same moment
        ack = AlertAcknowledgement.objects.get(kind=kind, key=key)
    return ack


def set_muted(user, kind, muted):
    """Mute (no sound) or unmute one kind of alert for this supervisor."""
    _supervisor(user)
    kind = _kind(kind)
    if muted:
        try:
            with transaction.atomic():
                AlertMute.objects.get_or_create(user=user, kind=kind)
        except IntegrityError:
            pass  # muted twice at once: muted
    else:
        AlertMute.objects.filter(user=user, kind=kind).delete()
    return muted


def raise_printer_failure(*, error, printer="", station=None, packing_list=None):
    """Store a printer failure and alert the floor (from printing, or from a log row)."""
    error = str(error or "").strip() or _("The printer did not answer.")
    with transaction.atomic():
        failure = PrinterFailure.objects.create(
            error=error[:2000], printer=str(printer or "")[:200], station=station,
            packing_list=packing_list)
        publish_floor((), summary=True)
    return failure
