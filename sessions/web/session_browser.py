"""Session browser: tabs of packing lists with server-side filters, and a list's details."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from profiles.models import Client
from sessions.downloads import attachment, file_name
from sessions.errors import PackingError
from sessions.labels.render import barcode_svg, list_labels_pdf, list_labels_zpl
from sessions.metrics import list_metrics, order_metrics
from sessions.models import Order, PackingList
from sessions.reads import list_tabs
from sessions.reads.claim_history import claim_history
from sessions.reads.payloads import list_payload
from sessions.reads.reviews import orders_to_review
from sessions.reports import completion_report

PAGE_SIZE = 25


class BrowseForm(forms.Form):
    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.all(),
                                    required=False, to_field_name="code",
                                    empty_label=_("All clients"))
    date_from = forms.DateField(label=_("From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status"))] + list(PackingList.Status.choices))
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # As wide as its placeholder in the user's language (it was cut: "session, list,
        # worker, sta"); CSS caps it at the screen's width.
        placeholder = str(_("session, list, worker, station"))
        self.fields["q"].widget.attrs.update(
            {"placeholder": placeholder, "size": len(placeholder) + 4, "class": "search-wide"})


def session_browser(request):
    """GET filters → one page of lists; htmx requests get only the results fragment."""
    tab = request.GET.get("tab") if request.GET.get("tab") in list_tabs.TABS else "active"
    form = BrowseForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = list_tabs.browse_lists(
        tab, client=filters.get("client") and filters["client"].code,
        date_from=filters.get("date_from"), date_to=filters.get("date_to"),
        status=filters.get("status"), text=filters.get("q"),
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [list_payload(pl) | {"obj": pl} for pl in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    tab_query = query.copy()
    tab_query.pop("tab", None)
    context = {"tab": tab, "tabs": list_tabs.TABS, "form": form, "page": page, "rows": rows,
               "query": query.urlencode(), "tab_query": tab_query.urlencode()}
    template = "browse/_results.html" if request.htmx else "browse/browser.html"
    return render(request, template, context)


def list_detail(request, list_id):
    """Overview, orders with flags (timeline on demand), metrics (partial while packing)."""
    pl = get_object_or_404(PackingList.objects.select_related("session__client", "holder",
                                                              "station", "ended_by"), pk=list_id)
    payload = list_payload(pl)
    return render(request, "browse/list_detail.html", {
        "pl": pl, "payload": payload, "metrics": list_metrics(pl),
        "holder_tile": list_tabs.holder_tile(pl, payload),
        "metrics_state": list_tabs.metrics_state(pl),
        "orders": list_tabs.order_rows(pl), "claim_events": claim_history(pl),
        "reviews": orders_to_review(pl), "scope": pl,
        "barcode_svg": mark_safe(barcode_svg(pl.barcode)),  # our own markup, from digits
    })


def order_timeline(request, order_id):
    """The scan timeline of one order (an htmx fragment under its row)."""
    order = get_object_or_404(Order, pk=order_id)
    events = list_tabs.order_timeline(order)
    return render(request, "browse/_timeline.html", {
        "order": order, "events": events, "metrics": order_metrics(order),
    })


def list_report(request, list_id):
    """The completion report (xlsx), regenerated from the database each time."""
    pl = get_object_or_404(PackingList.objects.select_related("session__client"), pk=list_id)
    return attachment(completion_report(pl), file_name("report", "xlsx", packing_list=pl))


def list_labels(request, list_id, fmt):
    """Every order label of the list as one PDF, or as ZPL for a thermal printer."""
    pl = get_object_or_404(PackingList.objects.select_related("session__client"), pk=list_id)
    try:
        content = list_labels_pdf(pl) if fmt == "pdf" else list_labels_zpl(pl).encode()
        return attachment(content, file_name("labels", fmt, packing_list=pl))
    except PackingError as exc:  # e.g. a list without orders has no labels
        messages.error(request, exc.message)
        return redirect("list-detail", list_id=pl.pk)
