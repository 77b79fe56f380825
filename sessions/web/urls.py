"""Web pages of the packing floor."""

from django.urls import path
from django.views.generic import TemplateView

from sessions.web import floor, imports, reviews, session_browser, station, terminal

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("station/", station.station_pick, name="station-pick"),
    path("station/setup/", terminal.station_setup, name="station-setup"),
    path("station/go/", station.station_go, name="station-go"),
    path("station/lists/<int:list_id>/", station.station_list, name="station-list"),
    path("station/lists/<int:list_id>/summary/", station.station_summary,
         name="station-summary"),
    path("floor/", floor.floor, name="floor"),
    path("floor/reviews/", reviews.reviews, name="floor-reviews"),
    path("floor/wall/", floor.wall, name="floor-wall"),
    path("floor/alerts/ack/", floor.alert_ack, name="floor-alert-ack"),
    path("floor/alerts/mute/", floor.alert_mute, name="floor-alert-mute"),
    path("sessions/orders/<int:order_id>/review/", reviews.review_order, name="order-review"),
    path("sessions/", session_browser.session_browser, name="session-browser"),
    path("sessions/lists/<int:list_id>/", session_browser.list_detail, name="list-detail"),
    path("sessions/lists/<int:list_id>/report.xlsx", session_browser.list_report,
         name="list-report"),
    path("sessions/lists/<int:list_id>/labels.pdf", session_browser.list_labels, {"fmt": "pdf"},
         name="list-labels-pdf"),
    path("sessions/lists/<int:list_id>/labels.zpl", session_browser.list_labels, {"fmt": "zpl"},
         name="list-labels-zpl"),
    path("sessions/orders/<int:order_id>/timeline/", session_browser.order_timeline,
         name="order-timeline"),
    path("imports/", imports.import_upload, name="import-upload"),
    path("imports/server/", imports.import_server_session, name="import-server"),
    path("imports/<str:token>/mapping/", imports.import_mapping, name="import-mapping"),
    path("imports/<str:token>/preview/", imports.import_preview, name="import-preview"),
    path("imports/result/<int:session_id>/", imports.import_result, name="import-result"),
]
