from django.urls import path

from coalition.library import views

app_name = "library"

urlpatterns = [
    path("library/", views.search, name="search"),
    path("library/sources/", views.sources, name="sources"),
    path("library/sources/new/", views.import_source, name="import"),
    path("library/imports/<int:pk>/", views.queued_import, name="queued_import"),
    path("library/sources/<int:pk>/", views.source, name="source"),
    path("library/sources/<int:pk>/reuse/", views.detect, name="detect"),
    path("library/sources/<int:pk>/delete/", views.delete, name="delete"),
    path("library/paragraphs/<int:pk>/", views.lineage, name="lineage"),
    path("library/assistant/", views.assistant, name="assistant"),
]
