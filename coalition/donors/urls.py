from django.urls import path, re_path

from coalition.donors.views import activities, analysis, imports, overlaps, participation, principles, reference

app_name = "donors"

urlpatterns = [
    path("donors/", participation.index, name="index"),
    path("donors/join/", participation.join, name="join"),
    path("donors/leave/", participation.leave, name="leave"),
    path("donors/activities/", activities.activities, name="activities"),
    path("donors/activities/<int:pk>/", activities.activity, name="activity"),
    path("donors/activities/<int:pk>/sharing/", activities.tier, name="tier"),
    path("donors/import/", imports.import_file, name="import"),
    path("donors/imports/<int:pk>/", imports.batch, name="batch"),
    re_path(r"^donors/template\.(?P<fmt>xlsx|csv)$", imports.template, name="template"),
    path("donors/overlaps/", overlaps.overlaps, name="overlaps"),
    path("donors/overlaps/detect/", overlaps.detect, name="detect"),
    path("donors/overlaps/<int:pk>/review/", overlaps.review, name="review"),
    path("donors/heatmap/", analysis.heatmap, name="heatmap"),
    path("donors/gaps/", analysis.gaps, name="gaps"),
    path("donors/timeline/", analysis.timeline, name="timeline"),
    path("donors/taxonomy/", reference.taxonomy, name="taxonomy"),
    path("donors/taxonomy/<int:pk>/remove/", reference.remove_mapping, name="remove_mapping"),
    path("donors/rates/", reference.rates, name="rates"),
    path("donors/groups/", reference.groups, name="groups"),
    path("donors/groups/<int:pk>/", reference.group, name="group"),
    path("donors/principles/", principles.principles, name="principles"),
    path("donors/principles/<int:pk>/<int:paragraph>/assess/", principles.assess, name="assess"),
]
