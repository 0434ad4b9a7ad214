from django.urls import path

from coalition.meetings import calendar_views, call_views, views

app_name = "meetings"
urlpatterns = [
    # Series, meetings, agendas, minutes, attendance (views.py)
    path("meetings/", views.index, name="index"),
    path("meetings/series/new/", views.series_new, name="series_new"),
    path("meetings/series/<int:pk>/", views.series, name="series"),
    path("meetings/series/<int:pk>/minutes/", views.series_minutes, name="series_minutes"),
    path("meetings/series/<int:pk>/invite/", views.series_invite, name="series_invite"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("meetings/<int:pk>/reschedule/", views.reschedule, name="reschedule"),
    path("meetings/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("meetings/<int:pk>/invite/", views.invite, name="invite"),
    path("meetings/<int:pk>/agenda/", views.add_agenda_item, name="add_agenda_item"),
    path("meetings/<int:pk>/agenda/<int:item>/outcome/", views.set_outcome, name="set_outcome"),
    path("meetings/<int:pk>/minutes/", views.minutes, name="minutes"),
    path("meetings/<int:pk>/minutes/circulate/", views.circulate, name="circulate"),
    path("meetings/<int:pk>/minutes/return/", views.return_to_draft, name="return_to_draft"),
    path("meetings/<int:pk>/minutes/approve/", views.approve_previous, name="approve_previous"),
    path("meetings/<int:pk>/decisions/", views.add_decision, name="add_decision"),
    path("meetings/<int:pk>/actions/", views.add_action, name="add_action"),
    path("meetings/actions/<int:pk>/close/", views.close_action, name="close_action"),
    path("meetings/<int:pk>/attendance/", views.attendance, name="attendance"),
    # Calendar: invitation files, RSVPs, replies, the personal feed (calendar_views.py)
    path("meetings/<int:pk>/invitation.ics", calendar_views.my_invitation, name="my_invitation"),
    path("meetings/<int:pk>/rsvp/", calendar_views.rsvp, name="rsvp"),
    path("meetings/rsvp/<str:token>/", calendar_views.rsvp_link, name="rsvp_link"),
    path("meetings/reply/", calendar_views.ics_reply, name="ics_reply"),
    path("meetings/calendar/", calendar_views.feed_settings, name="feed_settings"),
    path("meetings/calendar/<str:token>.ics", calendar_views.feed, name="feed"),
    # Quarterly update calls (call_views.py)
    path("meetings/calls/", call_views.calls, name="calls"),
    path("meetings/calls/new/", call_views.record_call, name="record_call"),
]
