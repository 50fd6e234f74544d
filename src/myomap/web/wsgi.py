"""WSGI entry point for any WSGI server: `waitress-serve myomap.web.wsgi:application`."""

from django.core.wsgi import get_wsgi_application

from myomap.web.bootstrap import prepare_environment

prepare_environment()
application = get_wsgi_application()
