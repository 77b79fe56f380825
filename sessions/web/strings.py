"""Texts the station's JavaScript shows, translated on the server into the page's language.

The JavaScript never carries its own wording: it gets this dict (json_script) and the server's
translated `message` of each answer, so all three languages live in the same .po files.
"""

from django.utils.translation import gettext as _

from sessions.outcomes import client_config


def station_strings():
    """Every text of the station screen; outcome headlines and tones come from
    sessions.outcomes (the same vocabulary the server answers with)."""
    return {
        "outcomes": client_config(),
        "refused": _("Refused"),
        "online": _("Online"),
        "offline": _("Connection lost: scans are kept and sent when it returns"),
        "waiting": _("Scans waiting to be sent"),
        "claiming": _("Claiming the list…"),
        "ready": _("Scan an order label"),
        "readyDetail": _("Scan the order number to open an order."),
        "claimedBy": _("Held by %(holder)s at station %(station)s since %(since)s."),
        "staleClaim": _("The claim is stale: no heartbeat for %(seconds)s s."),
        "takeOver": _("Take over"),
        "back": _("Back to lists"),
        "retry": _("Try again"),
        "claimLost": _("This station no longer holds the list"),
        "claimLostDetail": _("A supervisor released it or another station took it over."),
        "reclaim": _("Claim again"),
        "allDone": _("All done!"),
        "allDoneDetail": _("Every order of this list is completed or skipped."),
        "endList": _("End list"),
        "ended": _("List ended"),
        "endedDetail": _("The completion report is ready."),
        "downloadReport": _("Download report"),
        "timeLeft": _("%(time)s left"),
        "late": _("late by %(time)s"),
        "pickup": _("Pick-up"),
        "courier": _("Courier"),
        "country": _("Country"),
        "box": _("Box"),
        "orderType": _("Type"),
        "confirm": _("Confirm 1"),
        "undo": _("Undo 1"),
        "forceConfirm": _("Confirm all"),
        "mapBarcode": _("Map last scan"),
        "mapConfirm": _("Map barcode %(barcode)s to SKU %(sku)s for this client?"),
        "keep": _("Keep"),
        "remove": _("Remove"),
        "skipOrder": _("Skip order"),
        "nothingToUndo": _("Nothing to undo: scan an item first."),
        "noOpenOrder": _("No order is open."),
        "noExtras": _("No extra item is waiting."),
        "orders": _("orders"),
        "units": _("units"),
        "soundOn": _("Sound on"),
        "soundOff": _("Tap to turn sound on"),
        "skipAndOpen": _("Skip and open %(number)s"),
        "savedOffline": _("Saved offline"),
        "waitingN": _("%(n)s waiting"),
        "offlineUnknown": _("the server checks it when it answers"),
        "offlineDiff": _("Offline scan %(code)s: the server answered “%(answer)s”"),
        "unconfirmed": _("unconfirmed"),
        "doubleReads": _("Double reads ignored: %(n)s"),
        "endedNext": _("Scan the next list's barcode, or press Esc to go back to the lists."),
        "endedScan": _("%(code)s: this list has ended. Scan a list barcode (LIST-…) or press Esc."),
        "notNow": _("The list is not open at this station: nothing was sent."),
        "queued": _("queued"),
        "reopen": _("Reopen order"),
        "signIn": _("Sign in"),
        "signedOut": _("Signed out"),
        "signedOutDetail": _("Sign in again: scans waiting on this terminal are kept and sent."),
        # The in-page dialog (static/js/dialog.js) and what the station asks with it.
        "dialog": dialog_strings(),
        "approvalTitle": _("A supervisor's approval is needed"),
        "approvalCancelled": _("Not approved: nothing was changed."),
        "mapTitle": _("Map this barcode?"),
        "mapChoice": _("Map"),
        "barcode": _("Barcode"),
        "packsNow": _("Packs now"),
        "willPack": _("Will pack"),
        "fillTitle": _("Why is this filled by hand?"),
        "fillTitleAll": _("Confirm the rest of %(sku)s by hand: why?"),
        "fillApprovalNext": _("A supervisor approves “Confirm all” next."),
        "note": _("In a few words (needed for “Other”)"),
        "problemTitle": _("What is wrong with order %(number)s?"),
        "problemDetail": _("The order is set aside for a supervisor, with its counts."),
        "problemNote": _("Note for the supervisor (optional)"),
        "endTitle": _("End the list early?"),
        "endChoice": _("End the list"),
        "released": _("List released"),
        "releasedDetail": _("Any packer may claim it now; counts and the open order are kept."),
        "releasedBy": _("%(by)s released this list at %(at)s"),
        "takenBy": _("%(by)s took this list over at %(at)s"),
        "endedBy": _("%(by)s ended this list at %(at)s"),
        "reasonWas": _("Reason: “%(reason)s”"),
        "approveReclaim": _("Supervisor: claim again now"),
        "askSupervisor": _("Ask a supervisor to take it over or release it."),
        "keptExtras": _("+%(n)s kept"),
        "reship": _("re-ship"),
    }


def dialog_strings():
    """The words of the in-page dialog itself (buttons, approval fields, hints)."""
    return {
        "cancel": _("Cancel"),
        "badge": _("Supervisor: scan your badge"),
        "orPin": _("or type a supervisor's username and PIN, then Enter"),
        "username": _("Username"),
        "pin": _("PIN"),
        "required": _("Fill in the highlighted field first."),
        "failed": _("The server could not be reached. Try again."),
        "scanToConfirm": _("Scan the confirmation barcode"),
        "wrongCode": _("That is not the confirmation barcode."),
    }
