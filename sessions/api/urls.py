"""REST API v1 routes (mounted at /api/v1/). Station contract paths: see sessions/api/station.py."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from sessions.api import auth, imports, labels, order_prep, reviews, station, views

urlpatterns = [
    path("auth/token/", auth.ObtainToken.as_view(), name="api-token"),
    path("auth/token/revoke/", auth.RevokeToken.as_view(), name="api-token-revoke"),
    path("clients/", views.ClientList.as_view(), name="api-clients"),
    path("clients/<int:pk>/", views.ClientDetail.as_view(), name="api-client"),
    path("sessions/", views.SessionList.as_view(), name="api-sessions"),
    path("sessions/<int:pk>/", views.SessionDetail.as_view(), name="api-session"),
    path("sessions/<int:pk>/progress/", order_prep.SessionProgress.as_view(),
         name="api-session-progress"),
    path("lists/", views.ListIndex.as_view(), name="api-lists"),
    path("lists/<int:pk>/", views.ListDetail.as_view(), name="api-list"),
    path("lists/<int:pk>/orders/", views.ListOrders.as_view(), name="api-list-orders"),
    path("lists/<int:pk>/claim/", station.ClaimView.as_view(), name="api-list-claim"),
    path("lists/<int:pk>/heartbeat/", station.HeartbeatView.as_view(), name="api-list-heartbeat"),
    path("lists/<int:pk>/release/", station.ReleaseView.as_view(), name="api-list-release"),
    path("lists/<int:pk>/takeover/", station.TakeoverView.as_view(), name="api-list-takeover"),
    path("lists/<int:pk>/force-release/", station.ForceReleaseView.as_view(),
         name="api-list-force-release"),
    path("lists/<int:pk>/reassign/", station.ReassignView.as_view(), name="api-list-reassign"),
    path("lists/<int:pk>/scan/", station.ScanView.as_view(), name="api-list-scan"),
    path("lists/<int:pk>/action/", station.ActionView.as_view(), name="api-list-action"),
    path("lists/<int:pk>/end/", station.EndView.as_view(), name="api-list-end"),
    path("lists/<int:pk>/report.xlsx", views.ListReport.as_view(), name="api-list-report"),
    path("lists/<int:pk>/summary/", views.ListSummary.as_view(), name="api-list-summary"),
    path("lists/<int:pk>/metrics/", views.ListMetrics.as_view(), name="api-list-metrics"),
    path("orders/", order_prep.OrderLookup.as_view(), name="api-orders"),
    path("orders/<int:pk>/", views.OrderDetail.as_view(), name="api-order"),
    path("orders/<int:pk>/review/", reviews.OrderReview.as_view(), name="api-order-review"),
    path("metrics/", views.Metrics.as_view(), name="api-metrics"),
    path("imports/packing-list/", imports.PackingListImport.as_view(), name="api-import-list"),
    path("imports/file/", imports.FileImport.as_view(), name="api-import-file"),
    path("lists/<int:pk>/labels.<str:fmt>", labels.ListLabels.as_view(), name="api-list-labels"),
    path("lists/<int:pk>/labels/print/", labels.PrintLabels.as_view(), name="api-list-print"),
    path("orders/<int:pk>/label.png", labels.OrderLabel.as_view(), name="api-order-label"),
    path("orders/<int:pk>/slip.pdf", labels.OrderSlip.as_view(), name="api-order-slip"),
    path("orders/<int:pk>/print/", labels.PrintOrder.as_view(), name="api-order-print"),
    path("commands/sheet.pdf", labels.CommandSheet.as_view(), name="api-command-sheet"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
