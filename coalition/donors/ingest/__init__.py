"""Reading members' files into funding activities (PoA 2A.4): the IATI activity-file reader (`iati`), the spreadsheet
template's reader (`spreadsheet`, which gives the same report), what a file's activities become and what the report
tells of them (`records`, `import_report`), and the import itself, whole or not at all (`importing`), which the task
worker runs (`tasks.import_queued`)."""
