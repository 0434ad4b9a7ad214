from django.urls import path, re_path

from coalition.donors import views

app_name = "donors"

urlpatterns = [
    path("donors/", views.index, name="index"),
    path("donors/join/", views.join, name="join"),
    path("donors/leave/", views.leave, name="leave"),
    path("donors/activities/", views.activities, name="activities"),
    path("donors/activities/<int:pk>/", views.activity, name="activity"),
    path("donors/activities/<int:pk>/sharing/", views.tier, name="tier"),
    path("donors/import/", views.import_file, name="import"),
    path("donors/imports/<int:pk>/", views.batch, name="batch"),
    re_path(r"^donors/template\.(?P<fmt>xlsx|csv)$", views.template, name="template"),
    path("donors/overlaps/", views.overlaps, name="overlaps"),
    path("donors/overlaps/detect/", views.detect, name="detect"),
    path("donors/overlaps/<int:pk>/review/", views.review, name="review"),
    path("donors/heatmap/", views.heatmap, name="heatmap"),
    path("donors/gaps/", views.gaps, name="gaps"),
    path("donors/timeline/", views.timeline, name="timeline"),
    path("donors/taxonomy/", views.taxonomy, name="taxonomy"),
    path("donors/taxonomy/<int:pk>/remove/", views.remove_mapping, name="remove_mapping"),
    path("donors/rates/", views.rates, name="rates"),
    path("donors/groups/", views.groups, name="groups"),
    path("donors/groups/<int:pk>/", views.group, name="group"),
    path("donors/principles/", views.principles, name="principles"),
    path("donors/principles/<int:pk>/<int:paragraph>/assess/", views.assess, name="assess"),
]
