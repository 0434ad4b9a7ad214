from django.urls import path

from coalition.directory import views, views_people, views_work

app_name = "directory"
urlpatterns = [
    path("", views.home, name="home"),
    path("work/<str:key>/", views_work.section, name="work_section"),
    path("members/", views.members, name="members"),
    path("members/history/", views.participation_history, name="history"),
    path("organisations/<int:pk>/", views.organisation, name="organisation"),
    path("organisations/<int:pk>/positions/", views.appoint, name="appoint"),
    path("positions/<int:pk>/<str:decision>/", views.decide_position, name="decide_position"),
    path("people/", views_people.people, name="people"),
    path("bodies/", views.bodies, name="bodies"),
    path("bodies/<slug:slug>/", views.body, name="body"),
    path("networks/", views.networks, name="networks"),
    path("chairs/", views.chairs, name="chairs"),
]
