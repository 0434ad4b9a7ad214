from django.urls import path

from coalition.documents import views

app_name = "documents"
urlpatterns = [
    path("documents/", views.index, name="index"),
    path("documents/new/", views.new, name="new"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("documents/<int:pk>/edit/", views.edit, name="edit"),
    path("documents/<int:pk>/versions/<int:number>/", views.version, name="version"),
    path("documents/<int:pk>/redline/", views.redline, name="redline"),
    path("documents/<int:pk>/comments/", views.comment, name="comment"),
    path("documents/<int:pk>/phase/", views.phase, name="phase"),
    path("documents/<int:pk>/clauses/", views.clause, name="clause"),
    path("documents/<int:pk>/open-clauses/", views.open_clauses, name="open_clauses"),
]
