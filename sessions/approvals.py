"""A supervisor's approval at the station: who may give it, how it is checked, where it is kept.

Some actions of a packer need a supervisor standing next to them (docs/engine.md, "Who may do
what"): the service refuses with `ApprovalRequired` (403 `approval_required`, with
`approve_with`), the station asks for a badge scan or a username + PIN in its dialog, and sends
the same request again (same scan id) with `"approval": {"badge": …}` or
`{"username": …, "pin": …}`.

Credentials are checked by `approver_for` BEFORE the action's transaction starts, through
`django.contrib.auth.authenticate(request=…)`: django-axes counts a wrong badge or PIN and locks
guessing out exactly as on the sign-in page, and that count must not be rolled back with the
refused action. A supervisor signed in at the station approves by being signed in. The service
then stores the approval with the event it allowed (`record`), in the action's transaction.
"""

from dataclasses import dataclass

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _

from profiles.roles import is_supervisor
from profiles.services import worker_for_user
from sessions.errors import ApprovalRefused, ApprovalRequired, LockedOut
from sessions.models import Approval, ApprovalMethod

# The ways a station may give an approval (the dialog offers them in this order).
APPROVE_WITH = ("badge", "pin")


@dataclass(frozen=True)
class Approver:
    """A supervisor who approved, and how (badge, PIN, or signed in at the station)."""

    worker: object
    method: str


def approver_for(request, credentials=None):
    """The approver of this request: the credentials given, else the signed-in user when a
    supervisor, else None. Raises ApprovalRefused for credentials that are not a supervisor's
    and LockedOut when axes locked the guessing out."""
    if credentials:
        return verify(request, credentials)
    user = getattr(request, "user", None)
    if is_supervisor(user):
        return Approver(worker_for_user(user), ApprovalMethod.SIGNED_IN)
    return None


def _credentials(credentials):
    """(authenticate keyword arguments, method) of an approval object, or ApprovalRefused."""
    if isinstance(credentials, dict):
        badge = str(credentials.get("badge") or "").strip()
        if badge:
            return {"badge": badge}, ApprovalMethod.BADGE
        username = str(credentials.get("username") or "").strip()
        pin = str(credentials.get("pin") or "").strip()
        if username and pin:
            return {"username": username, "pin": pin}, ApprovalMethod.PIN
    raise ApprovalRefused(_("Scan a supervisor's badge, or type a supervisor's username and "
                            "PIN."), approve_with=list(APPROVE_WITH))


def verify(request, credentials):
    """The supervisor whose badge or username + PIN this is (counted by axes like a sign-in)."""
    kwargs, method = _credentials(credentials)
    user = authenticate(request, **kwargs)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            # Our own JSON answer; AxesMiddleware would otherwise swap in its HTML page.
            request.axes_locked_out = False
            raise LockedOut(_("Too many wrong badges or PINs. Try again later."))
        message = (_("This badge is not known.") if method == ApprovalMethod.BADGE
                   else _("Wrong username or PIN."))
        raise ApprovalRefused(message, approve_with=list(APPROVE_WITH))
    if not is_supervisor(user):
        worker = worker_for_user(user)
        raise ApprovalRefused(
            _("%(name)s is not a supervisor: only a supervisor can approve this.")
            % {"name": worker.display_name}, approve_with=list(APPROVE_WITH))
    return Approver(worker_for_user(user), method)


def require(approver, action, message, **details):
    """The approver, or ApprovalRequired naming the action and what it would change."""
    if approver is None:
        raise ApprovalRequired(message, action=str(action), approve_with=list(APPROVE_WITH),
                               **details)
    return approver


def record(approver, action, *, packing_list, requested_by=None, station=None,
           scan_event=None, claim_event=None):
    """Store the approval with the one event it allowed (inside that event's transaction)."""
    return Approval.objects.create(
        packing_list=packing_list, action=action, method=approver.method,
        approver=approver.worker, requested_by=requested_by, station=station,
        scan_event=scan_event, claim_event=claim_event,
        created_at=(scan_event or claim_event).created_at,
    )


def describe(approval):
    """"approved by Sue (badge)" for timelines and histories."""
    return _("approved by %(name)s (%(method)s)") % {
        "name": approval.approver.display_name, "method": approval.get_method_display()}
