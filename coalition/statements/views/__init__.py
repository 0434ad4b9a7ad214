"""The statements' pages: the working page members and managers act on (working.py) and what the public reads
(public.py): the feed, the text, the PDF, the JSON and the verification page."""
