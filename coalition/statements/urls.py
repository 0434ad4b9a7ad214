from django.urls import path

from coalition.statements.views import public, working

app_name = "statements"
urlpatterns = [
    # Drafting, freezing, sign-on, publication (views/working.py)
    path("statements/", working.index, name="index"),
    path("statements/new/", working.new, name="new"),
    path("statements/<slug:slug>/", working.statement, name="statement"),
    path("statements/<slug:slug>/freeze/", working.freeze, name="freeze"),
    path("statements/<slug:slug>/respond/", working.respond, name="respond"),
    path("statements/<slug:slug>/publish/", working.publish, name="publish"),
    path("statements/<slug:slug>/translations/", working.translate, name="translate"),
    # What the public reads (views/public.py)
    path("statements/feed.atom", public.feed, name="feed"),
    path("statements/<slug:slug>/text.txt", public.text, name="text"),
    path("statements/<slug:slug>/statement.pdf", public.pdf, name="pdf"),
    path("statements/<slug:slug>/statement.json", public.json, name="json"),
    path("statements/<slug:slug>/verify/", public.verify, name="verify"),
]
