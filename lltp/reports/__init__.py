"""Leadership reports (issue 8): the figures, the dashboard with its charts, the CSV export of the case
list, and the periodic report as XLSX and PDF. Read-only, apart from the audit rows of what was read."""
