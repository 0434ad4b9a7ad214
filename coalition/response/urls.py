from django.urls import path

from coalition.response import views

app_name = "response"

urlpatterns = [
    path("response/", views.index, name="index"),
    path("response/signals/", views.signals, name="signals"),
    path("response/signals/import/", views.import_signals, name="import"),
    path("response/alerts/<int:pk>/", views.alert, name="alert"),
    path("response/alerts/<int:pk>/dismiss/", views.dismiss, name="dismiss"),
    path("response/situations/new/", views.open_situation, name="open"),
    path("response/situations/<int:pk>/", views.situation, name="situation"),
    path("response/situations/<int:pk>/pledge/", views.pledge, name="pledge"),
    path("response/situations/<int:pk>/pledges/<int:item>/", views.pledge_status, name="pledge_status"),
    path("response/situations/<int:pk>/steps/<int:step>/", views.step, name="step"),
    path("response/situations/<int:pk>/note/", views.note, name="note"),
    path("response/situations/<int:pk>/report/", views.report, name="report"),
    path("response/situations/<int:pk>/statement/", views.fast_track, name="fast_track"),
    path("response/situations/<int:pk>/widen/", views.widen, name="widen"),
    path("response/situations/<int:pk>/close/", views.close, name="close"),
    path("response/toolkit/", views.toolkit, name="toolkit"),
    path("response/toolkit/<int:pk>/", views.tool, name="tool"),
    path("response/metrics/", views.metrics, name="metrics"),
]
