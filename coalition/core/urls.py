from django.urls import path

from coalition.core import views
from coalition.core.search import views as search_views

app_name = "core"
urlpatterns = [
    path("audit/", views.audit_log, name="audit"),
    path("search/", search_views.search_page, name="search"),
    path("ledger/checkpoints/", views.ledger_checkpoints, name="checkpoints"),
    path("ledger/checkpoint", views.latest_checkpoint, name="checkpoint"),
]
