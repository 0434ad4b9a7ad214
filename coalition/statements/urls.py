from django.urls import path

from coalition.statements import public_views, views

app_name = "statements"
urlpatterns = [
    # Drafting, freezing, sign-on, publication (views.py)
    path("statements/", views.index, name="index"),
    path("statements/new/", views.new, name="new"),
    path("statements/<slug:slug>/", views.statement, name="statement"),
    path("statements/<slug:slug>/freeze/", views.freeze, name="freeze"),
    path("statements/<slug:slug>/respond/", views.respond, name="respond"),
    path("statements/<slug:slug>/publish/", views.publish, name="publish"),
    path("statements/<slug:slug>/translations/", views.translate, name="translate"),
    # What the public reads (public_views.py)
    path("statements/feed.atom", public_views.feed, name="feed"),
    path("statements/<slug:slug>/text.txt", public_views.text, name="text"),
    path("statements/<slug:slug>/statement.pdf", public_views.pdf, name="pdf"),
    path("statements/<slug:slug>/statement.json", public_views.json, name="json"),
    path("statements/<slug:slug>/verify/", public_views.verify, name="verify"),
]
