"""Typed errors of the packing domain.

Each carries a stable `code` (used in API JSON and WebSocket answers), an HTTP status and a
human message (translated into the user's language), so views and consumers never invent their
own wording. Services raise them; `sessions.api.errors.exception_handler` renders them.
"""

from django.utils.translation import gettext_lazy as _


class PackingError(Exception):
    """Base of every refusal the packing domain can give."""

    code = "packing_error"
    status = 400
    default_message = _("The request could not be carried out.")

    def __init__(self, message=None, **details):
        self.message = str(message or self.default_message)
        self.details = details
        super().__init__(self.message)

    def as_dict(self):
        """The JSON body of the error: {"code", "message", ...details}."""
        body = {"code": self.code, "message": self.message}
        body.update(self.details)
        return body


class NotFound(PackingError):
    code = "not_found"
    status = 404
    default_message = _("Not found.")


class Forbidden(PackingError):
    code = "forbidden"
    status = 403
    default_message = _("You are not allowed to do that.")


class InvalidRequest(PackingError):
    code = "invalid"
    status = 400
    default_message = _("The request is not valid.")


class InvalidCredentials(PackingError):
    """Sign-in refused: unknown user, wrong password or an inactive account (never says which)."""

    code = "invalid_credentials"
    status = 400
    default_message = _("Wrong username or password.")


class LockedOut(PackingError):
    """Too many failed sign-ins from this address for this username (django-axes)."""

    code = "locked_out"
    status = 429
    default_message = _("Too many failed sign-ins. Try again later.")


class ListClaimed(PackingError):
    """The list is held by another worker/station (details: holder, station, since, stale)."""

    code = "list_claimed"
    status = 409
    default_message = _("This packing list is in use at another station.")


class NotClaimHolder(PackingError):
    """The caller does not hold the claim (wrong or missing X-Claim-Token, or claim released)."""

    code = "not_claim_holder"
    status = 409
    default_message = _("This station does not hold this packing list. Claim it again.")


class StaleClaim(PackingError):
    code = "stale_claim"
    status = 409
    default_message = _("The claim on this list went stale. Take it over to continue.")


class ClaimNotStale(PackingError):
    """Take-over refused: the claim is still active (only a force-release may end it)."""

    code = "claim_active"
    status = 409
    default_message = _("This list is still actively held; it cannot be taken over yet.")


class ListNotClaimed(PackingError):
    code = "list_not_claimed"
    status = 409
    default_message = _("Nobody holds this packing list.")


class ListCompleted(PackingError):
    code = "list_completed"
    status = 409
    default_message = _("This packing list has been ended.")


class StationBusy(PackingError):
    code = "station_busy"
    status = 409
    default_message = _("This station already holds another packing list.")


class InvalidAction(PackingError):
    code = "invalid_action"
    status = 400
    default_message = _("That action is not possible now.")


class ScanIdConflict(PackingError):
    """A scan id was reused for a different request (not a retry of the same one)."""

    code = "scan_id_conflict"
    status = 409
    default_message = _("This scan id was already used for a different action.")


class ImportRejected(PackingError):
    """A file could not be imported; `errors` lists every problem with row and column."""

    code = "import_rejected"
    status = 400
    default_message = _("The file was not imported.")

    def __init__(self, errors, message=None):
        self.errors = list(errors)
        super().__init__(message, errors=[e if isinstance(e, dict) else {"message": str(e)}
                                          for e in self.errors])


class PrinterUnreachable(PackingError):
    code = "printer_unreachable"
    status = 502
    default_message = _("The label printer could not be reached.")


class CommandCode(PackingError):
    """A command barcode (CMD:…) sent as a scan: commands run at the station, never as items."""

    code = "command_code"
    status = 400
    default_message = _("This is a station command from the command sheet, not an item or an "
                        "order: scan it at a station.")


class MappingRequired(PackingError):
    """The file lacks standard columns and no mapping is known (details: headers, missing)."""

    code = "mapping_required"
    status = 400
    default_message = _("Choose which column of the file is which standard column.")


class LabelError(PackingError):
    code = "label_error"
    status = 400
    default_message = _("The label could not be produced.")


class ApprovalRequired(PackingError):
    """The action needs a supervisor's approval at the station (details: approve_with, the
    action, and what it would change). Retry with "approval" and the same scan id."""

    code = "approval_required"
    status = 403
    default_message = _("This needs a supervisor's approval: scan a supervisor's badge or "
                        "type their username and PIN.")


class ApprovalRefused(PackingError):
    """The approval given is not a supervisor's (unknown badge, wrong PIN, not a supervisor)."""

    code = "approval_refused"
    status = 403
    default_message = _("That is not a supervisor's approval.")


class ReleaseCooldown(PackingError):
    """A supervisor force-released this list from this station or worker a moment ago."""

    code = "release_cooldown"
    status = 409
    default_message = _("A supervisor released this list from here: it cannot be claimed "
                        "again yet without a supervisor's approval.")


class ReasonRequired(PackingError):
    """A manual fill or a flag needs a reason (details: reasons, the codes and their words)."""

    code = "reason_required"
    status = 400
    default_message = _("Choose a reason.")


class DuplicateOrders(PackingError):
    """Orders of the file are already in a list of the client that has not ended (details:
    orders [{number, session, list, status}], and the ways through)."""

    code = "duplicate_orders"
    status = 409
    default_message = _("Some orders of this file are already in a packing list that has not "
                        "ended.")


class ReplaceRefused(PackingError):
    """"Replace the not-started list" asked for a list that is already being packed."""

    code = "replace_refused"
    status = 409
    default_message = _("That list has already been started: it cannot be replaced.")
