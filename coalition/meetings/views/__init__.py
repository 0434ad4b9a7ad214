"""The meetings pages, a module per group of pages: `series` (the index and series), `meeting` (one meeting, its
changes and attendance), `minutes`, `calendar` (invitation files, replies, the personal feed) and `calls` (the
quarterly update calls). Each view declares its rule; reads go through meetings.queries (access-filtered); every
POST goes through `core.forms.submit`, so a service's error comes back on the field it names with a 400 and nothing
saved."""
