from django.urls import path

from coalition.core import views

app_name = "core"
urlpatterns = [
    path("audit/", views.audit_log, name="audit"),
    path("ledger/checkpoints/", views.ledger_checkpoints, name="checkpoints"),
    path("ledger/checkpoint", views.latest_checkpoint, name="checkpoint"),
]
