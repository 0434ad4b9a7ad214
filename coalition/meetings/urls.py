from django.urls import path

from coalition.meetings.views import calendar, calls, meeting, minutes, series

app_name = "meetings"
urlpatterns = [
    # The index and series (views/series.py)
    path("meetings/", series.index, name="index"),
    path("meetings/series/new/", series.series_new, name="series_new"),
    path("meetings/series/<int:pk>/", series.series, name="series"),
    path("meetings/series/<int:pk>/minutes/", series.series_minutes, name="series_minutes"),
    path("meetings/series/<int:pk>/invite/", series.series_invite, name="series_invite"),
    # A meeting, its changes and attendance (views/meeting.py)
    path("meetings/<int:pk>/", meeting.meeting, name="meeting"),
    path("meetings/<int:pk>/reschedule/", meeting.reschedule, name="reschedule"),
    path("meetings/<int:pk>/cancel/", meeting.cancel, name="cancel"),
    path("meetings/<int:pk>/invite/", meeting.invite, name="invite"),
    path("meetings/<int:pk>/agenda/", meeting.add_agenda_item, name="add_agenda_item"),
    path("meetings/<int:pk>/agenda/<int:item>/outcome/", minutes.set_outcome, name="set_outcome"),
    path("meetings/<int:pk>/minutes/", minutes.minutes, name="minutes"),
    path("meetings/<int:pk>/minutes/circulate/", minutes.circulate, name="circulate"),
    path("meetings/<int:pk>/minutes/return/", minutes.return_to_draft, name="return_to_draft"),
    path("meetings/<int:pk>/minutes/approve/", meeting.approve_previous, name="approve_previous"),
    path("meetings/<int:pk>/decisions/", minutes.add_decision, name="add_decision"),
    path("meetings/<int:pk>/actions/", minutes.add_action, name="add_action"),
    path("meetings/actions/<int:pk>/close/", minutes.close_action, name="close_action"),
    path("meetings/<int:pk>/attendance/", meeting.attendance, name="attendance"),
    # Calendar: invitation files, RSVPs, replies, the personal feed (views/calendar.py)
    path("meetings/<int:pk>/invitation.ics", calendar.my_invitation, name="my_invitation"),
    path("meetings/<int:pk>/rsvp/", calendar.rsvp, name="rsvp"),
    path("meetings/rsvp/<str:token>/", calendar.rsvp_link, name="rsvp_link"),
    path("meetings/reply/", calendar.ics_reply, name="ics_reply"),
    path("meetings/calendar/", calendar.feed_settings, name="feed_settings"),
    path("meetings/calendar/<str:token>.ics", calendar.feed, name="feed"),
    # Quarterly update calls (views/calls.py)
    path("meetings/calls/", calls.calls, name="calls"),
    path("meetings/calls/new/", calls.record_call, name="record_call"),
]
