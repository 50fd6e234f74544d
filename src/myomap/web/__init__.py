"""The Django project: settings, URLs, WSGI entry point, shared templates and static files."""
