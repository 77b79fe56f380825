"""Dashboard pages and history downloads (figures from stats.metrics / stats.exports).

A packer sees only their own figures (sessions.reads.visibility decides, as for the API):
the worker filter is forced to them. Supervisors see everyone and may filter by worker.
"""

from django import forms
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from profiles.models import Client, Worker
from profiles.roles import is_supervisor
from sessions.downloads import attachment, file_name
from sessions.models import PackingList
from sessions.reads.visibility import figures_worker
from stats.charts import bar_chart
from stats.exports import history_csv, history_xlsx
from stats.metrics import dashboard as dashboard_data
from stats.metrics import default_range


class DashboardForm(forms.Form):
    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.all(),
                                    required=False, to_field_name="code",
                                    empty_label=_("All clients"))
    worker = forms.ModelChoiceField(label=_("Worker"), queryset=Worker.objects.all(),
                                    required=False, empty_label=_("All workers"))
    date_from = forms.DateField(label=_("From"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))


def dashboard(request):
    """Totals, per client / worker / day tables and charts for the chosen filters."""
    supervisor = is_supervisor(request.user)
    start, end = default_range()
    form = DashboardForm(request.GET or None, initial={"date_from": start, "date_to": end})
    if not supervisor:
        del form.fields["worker"]
    filters = form.cleaned_data if form.is_valid() else {}
    worker = figures_worker(request.user, filters.get("worker"))
    date_from = filters.get("date_from") or start
    date_to = filters.get("date_to") or end
    data = dashboard_data(client=filters.get("client"), worker=worker,
                          date_from=date_from, date_to=date_to)
    charts = {
        "orders_by_day": bar_chart(data["by_day"], "orders_packed"),
        "items_by_day": bar_chart(data["by_day"], "items_packed"),
        "oph_by_worker": bar_chart(data["by_worker"], "orders_per_hour_active", digits=1),
    }
    worked_days = [row for row in data["by_day"] if row["orders_packed"] or row["scans"]]
    return render(request, "stats/dashboard.html", {
        "form": form, "data": data, "charts": charts, "supervisor": supervisor,
        "worked_days": worked_days,
        "own_worker": None if supervisor else worker, "date_from": date_from, "date_to": date_to,
    })


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
