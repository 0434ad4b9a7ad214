"""The meetings pages, a module per group of pages: `series` (the index and series), `meeting` (one meeting, its
changes and attendance), `minutes`, `calendar` (invitation files, replies, the personal feed) and `calls` (the
quarterly update calls)."""
