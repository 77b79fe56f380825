"""Template context shared by every page (navigation depends on the role and the terminal)."""

from profiles.roles import is_supervisor
from profiles.terminals import is_kiosk

# The key that signs a packer out on a kiosk terminal (shown on the sign-out button).
SIGN_OUT_KEY = "F12"


def navigation(request):
    """`nav_is_supervisor` and `nav_kiosk` decide which links the top bar shows (lazily).

    A kiosk is a packer at a station terminal: no Sessions, Dashboard or Admin links, and
    sign-out by `SIGN_OUT_KEY` (or by scanning their badge on the pick page).
    """
    user = getattr(request, "user", None)
    return {"nav_is_supervisor": lambda: is_supervisor(user),
            "nav_kiosk": lambda: is_kiosk(request), "sign_out_key": SIGN_OUT_KEY}
