"""Sign-in for people and terminals: password, badge scan, or username + PIN.

One page serves all three ways so a station can be unlocked without a keyboard (badge) or with
four digits (PIN). Every attempt goes through `django.contrib.auth.authenticate(request=...)`,
so django-axes counts failures and locks out guessing for badges and PINs like for passwords.
"""

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, login
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from profiles.terminals import is_terminal

METHODS = ("password", "badge", "pin")


class SignInForm(forms.Form):
    """The fields of every method; `clean` checks the ones the chosen method needs."""

    method = forms.ChoiceField(choices=[(m, m) for m in METHODS], initial="password",
                               required=False, widget=forms.HiddenInput)
    username = forms.CharField(label=_lazy("Username"), required=False, max_length=150)
    password = forms.CharField(label=_lazy("Password"), required=False,
                               widget=forms.PasswordInput)
    badge = forms.CharField(label=_lazy("Badge"), required=False, max_length=100,
                            widget=forms.PasswordInput(attrs={"autocomplete": "off"}))
    pin = forms.CharField(label=_lazy("PIN"), required=False, max_length=8,
                          widget=forms.PasswordInput(attrs={"inputmode": "numeric",
                                                            "autocomplete": "off"}))

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        method = data.get("method") or "password"
        credentials = self.credentials(method, data)
        self.user = authenticate(self.request, **credentials)
        if self.user is None:
            raise forms.ValidationError(self.failure_message(method))
        if not self.user.is_active:
            raise forms.ValidationError(_("This account is disabled."))
        return data

    def credentials(self, method, data):
        """The keyword arguments `authenticate` needs for the method (missing ones refused)."""
        needed = {"password": ("username", "password"), "badge": ("badge",),
                  "pin": ("username", "pin")}[method]
        missing = [name for name in needed if not (data.get(name) or "").strip()]
        if missing:
            raise forms.ValidationError(_("Please fill in: %(fields)s.") % {
                "fields": ", ".join(str(self.fields[name].label) for name in missing)})
        return {name: data[name].strip() if name != "password" else data[name]
                for name in needed}

    @staticmethod
    def failure_message(method):
        return {
            "password": _("Wrong username or password."),
            "badge": _("This badge is not known."),
            "pin": _("Wrong username or PIN."),
        }[method]


@login_not_required
@sensitive_post_parameters("password", "pin", "badge")
@csrf_protect
@never_cache
def sign_in(request):
    """GET shows the three ways to sign in; POST signs in and goes to `next` or home.

    On a station terminal the badge comes first and has the focus, so a scanned badge (its
    keystrokes and Enter) signs in; password and PIN stay on the same page, one click away.
    """
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = ""
    form = SignInForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.user)
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    terminal = is_terminal(request)
    method = (form.data.get("method") if form.is_bound else request.GET.get("method"))
    if method not in METHODS:
        method = "badge" if terminal else "password"
    return render(request, "registration/sign_in.html", {
        "form": form, "next": next_url, "method": method, "terminal": terminal,
    }, status=400 if form.is_bound else 200)
