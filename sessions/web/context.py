"""Template context shared by every page (navigation depends on the role)."""

from profiles.roles import is_supervisor


def navigation(request):
    """`nav_is_supervisor` decides which links the top bar shows (evaluated lazily)."""
    user = getattr(request, "user", None)
    return {"nav_is_supervisor": lambda: is_supervisor(user)}
