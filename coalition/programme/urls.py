from django.urls import path

from coalition.programme import views

app_name = "programme"
urlpatterns = [
    path("programme/", views.index, name="index"),
    path("programme/<int:year>/", views.tree, name="tree"),
    path("programme/<int:year>/carry-over/", views.carry_over, name="carry_over"),
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
