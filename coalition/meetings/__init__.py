"""Meetings across every time zone (issue 4): series and their meetings stored in UTC with a host zone, the fair
rotation of meeting times (PoA 3B.3, `rotation/`), agendas that carry over, minutes with revisions and approval at
a later meeting, decisions, action items and attendance (`services/`), calendar invitations, replies and a personal
feed (`calendar`, `invitations`), members' quarterly update calls and their digest (PoA 1B.2), and reminders. Pages
are in `views/`, reads in `queries`."""
