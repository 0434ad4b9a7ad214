from django.urls import path

from coalition.programme import digest_views, report_views, views

app_name = "programme"
urlpatterns = [
    path("programme/", views.index, name="index"),
    path("programme/digest/", digest_views.digest, name="digest"),
    path("programme/<int:year>/", views.tree, name="tree"),
    path("programme/<int:year>/carry-over/", views.carry_over, name="carry_over"),
    path("programme/<int:year>/report/", report_views.report, name="report"),
    path("programme/<int:year>/report.pdf", report_views.report_pdf, name="report_pdf"),
    path("programme/<int:year>/export.csv", report_views.export_csv, name="export_csv"),
    path("programme/<int:year>/export.json", report_views.export_json, name="export_json"),
    path("programme/<int:year>/activities/<str:code>/", views.activity, name="activity"),
    path("programme/<int:year>/activities/<str:code>/updates/", views.post_update, name="post_update"),
    path("programme/<int:year>/activities/<str:code>/status/", views.change_status, name="change_status"),
    path("programme/<int:year>/activities/<str:code>/evidence/", views.link_evidence, name="link_evidence"),
    path(
        "programme/<int:year>/activities/<str:code>/proposals/<int:pk>/",
        views.decide_proposal,
        name="decide_proposal",
    ),
]
