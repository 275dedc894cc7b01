import os

from django.core.wsgi import get_wsgi_application

from presscentre.pagecache.wsgi import PageCacheApplication

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "presscentre.settings")

# Anonymous readers' pages come from the page cache before Django builds a request (docs/caching.md).
application = PageCacheApplication(get_wsgi_application())
