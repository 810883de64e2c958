"""Official documents (文书): rendered to DOCX for offices to edit and PDF to archive, then ledgered."""
