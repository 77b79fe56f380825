"""Dashboard pages and history downloads (figures from stats.metrics / stats.exports).

A packer sees only their own figures (sessions.reads.visibility decides, as for the API):
the worker filter is forced to them. Supervisors see everyone and may filter by worker.
"""

from django import forms
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from profiles.models import Client, Worker
from profiles.roles import is_supervisor
from sessions.downloads import attachment, file_name
from sessions.models import PackingList
from sessions.reads.visibility import figures_worker
from stats.charts import bar_chart
from stats.dashboard_exports import TABLES, dashboard_csv, dashboard_xlsx, table_titles
from stats.exports import history_csv, history_xlsx
from stats.metrics import dashboard as dashboard_data
from stats.metrics import default_range


class DashboardForm(forms.Form):
    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.all(),
                                    required=False, to_field_name="code",
                                    empty_label=_("All clients"))
    worker = forms.ModelChoiceField(label=_("Worker"), queryset=Worker.objects.all(),
                                    required=False, empty_label=_("All workers"))
    # A browser's date input takes and sends ISO dates only, whatever the page's language
    # (Ukrainian 02.11.2026 left it empty).
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(
        attrs={"type": "date"}, format="%Y-%m-%d"))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(
        attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            raise forms.ValidationError(
                _("The range is reversed: “From” (%(from)s) is after “To” (%(to)s)."),
                code="reversed_range",
                params={"from": date_from.isoformat(), "to": date_to.isoformat()})
        return cleaned


def _chosen(request):
    """(form, filters or None when the form is refused, the figures' worker, from, to)."""
    supervisor = is_supervisor(request.user)
    start, end = default_range()
    form = DashboardForm(request.GET or None, initial={"date_from": start, "date_to": end})
    if not supervisor:
        del form.fields["worker"]
    if form.is_bound and not form.is_valid():
        return form, None, None, None, None
    filters = form.cleaned_data if form.is_bound else {}
    worker = figures_worker(request.user, filters.get("worker"))
    return (form, filters, worker, filters.get("date_from") or start,
            filters.get("date_to") or end)


def _charts(data):
    orders, items = gettext("Orders"), gettext("Items")
    day, hour = gettext("Day"), gettext("Hour of the day")
    return {
        "orders_by_day": bar_chart(data["by_day"], "orders_packed", x_title=day,
                                   y_title=orders),
        "items_by_day": bar_chart(data["by_day"], "items_packed", x_title=day, y_title=items),
        "orders_by_hour": bar_chart(data["by_hour"], "orders_packed", x_title=hour,
                                    y_title=orders),
        "oph_by_worker": bar_chart(data["by_worker"], "orders_per_hour_active", digits=1,
                                   x_title=gettext("Worker"),
                                   y_title=gettext("Orders / hour")),
    }


def dashboard(request):
    """Totals, per client / worker / day / hour tables and charts for the chosen filters; a
    refused filter (a reversed date range) is said, not answered with an empty page."""
    form, filters, worker, date_from, date_to = _chosen(request)
    supervisor = is_supervisor(request.user)
    context = {"form": form, "supervisor": supervisor, "date_from": date_from,
               "date_to": date_to, "export_query": request.GET.urlencode(),
               "own_worker": None if supervisor else figures_worker(request.user, None)}
    if filters is None:
        return render(request, "stats/dashboard.html", context, status=400)
    data = dashboard_data(client=filters.get("client"), worker=worker,
                          date_from=date_from, date_to=date_to)
    worked_days = [row for row in data["by_day"] if row["orders_packed"] or row["scans"]]
    context.update(data=data, charts=_charts(data), worked_days=worked_days,
                   export_tables=[(key, title) for key, title in table_titles().items()])
    return render(request, "stats/dashboard.html", context)


def dashboard_export(request, fmt):
    """The dashboard's tables for the same filters: xlsx (every table a sheet) or one table
    as CSV (?table=worker|client|day|hour)."""
    form, filters, worker, date_from, date_to = _chosen(request)
    if filters is None:
        return HttpResponseBadRequest(" ".join(form.non_field_errors())
                                      or gettext("Invalid filter."))
    client = filters.get("client")
    data = dashboard_data(client=client, worker=worker, date_from=date_from, date_to=date_to)
    scope = "_".join([*([client.code] if client else []), date_from.isoformat(),
                      date_to.isoformat()])
    if fmt == "xlsx":
        return attachment(dashboard_xlsx(data), file_name("dashboard", "xlsx", scope=scope))
    table = request.GET.get("table")
    if table not in TABLES:
        return HttpResponseBadRequest(gettext("Unknown table."))
    return attachment(dashboard_csv(table, data).encode("utf-8"),
                      file_name("dashboard", "csv", scope=scope, part=table))


def history_export(request, list_id, fmt):
    """A list's orders and scans: xlsx with both sheets, or one CSV (?kind=orders|scans)."""
    pl = get_object_or_404(PackingList.objects.select_related("session__client"), pk=list_id)
    if fmt == "xlsx":
        return attachment(history_xlsx(packing_list=pl),
                          file_name("history", "xlsx", packing_list=pl))
    kind = request.GET.get("kind")
    kind = kind if kind in ("orders", "scans") else "scans"
    return attachment(history_csv(kind, packing_list=pl).encode("utf-8"),
                      file_name("history", "csv", packing_list=pl, part=kind))
