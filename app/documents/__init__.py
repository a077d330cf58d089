"""Document rendering: Jinja2 + WeasyPrint to PDF, python-docx to DOCX, fonts and QR codes."""
