"""WSGI entry point for any WSGI server: `waitress-serve myomap.web.wsgi:application`.
`myomap serve` (one process or several) runs this app behind its own handling of the
forwarded headers; another server must be told itself which proxy to believe."""

from django.core.wsgi import get_wsgi_application

from myomap.web.bootstrap import prepare_environment

prepare_environment()
application = get_wsgi_application()
