from django.urls import path

from coalition.programme.views import activities, digest, reports

app_name = "programme"
urlpatterns = [
    path("programme/", activities.index, name="index"),
    path("programme/digest/", digest.digest, name="digest"),
    path("programme/<int:year>/", activities.tree, name="tree"),
    path("programme/<int:year>/carry-over/", activities.carry_over, name="carry_over"),
    path("programme/<int:year>/report/", reports.report, name="report"),
    path("programme/<int:year>/report.pdf", reports.report_pdf, name="report_pdf"),
    path("programme/<int:year>/export.csv", reports.export_csv, name="export_csv"),
    path("programme/<int:year>/export.json", reports.export_json, name="export_json"),
    path("programme/<int:year>/activities/<str:code>/", activities.activity, name="activity"),
    path("programme/<int:year>/activities/<str:code>/updates/", activities.post_update, name="post_update"),
    path("programme/<int:year>/activities/<str:code>/status/", activities.change_status, name="change_status"),
    path("programme/<int:year>/activities/<str:code>/evidence/", activities.link_evidence, name="link_evidence"),
    path(
        "programme/<int:year>/activities/<str:code>/proposals/<int:pk>/",
        activities.decide_proposal,
        name="decide_proposal",
    ),
]
