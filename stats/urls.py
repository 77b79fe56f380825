"""Dashboard and history export pages (included from packer/urls.py)."""

from django.urls import path

from stats import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/export.xlsx", views.dashboard_export, {"fmt": "xlsx"},
         name="dashboard-xlsx"),
    path("dashboard/export.csv", views.dashboard_export, {"fmt": "csv"}, name="dashboard-csv"),
    path("sessions/lists/<int:list_id>/history.xlsx", views.history_export, {"fmt": "xlsx"},
         name="history-xlsx"),
    path("sessions/lists/<int:list_id>/history.csv", views.history_export, {"fmt": "csv"},
         name="history-csv"),
]
