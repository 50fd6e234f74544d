"""The JSON API (django-ninja): the same actions and permissions as the web UI, in JSON."""
