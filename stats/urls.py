"""Dashboard and history export pages (included from packer/urls.py)."""

from django.urls import path

from stats import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("sessions/lists/<int:list_id>/history.<str:fmt>", views.history_export,
         name="history-export"),
]
