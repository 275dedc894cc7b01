from django.urls import path

from presscentre.syndication import sitemaps

app_name = "sitemaps"

urlpatterns = [
    path("sitemap.xml", sitemaps.sitemap_view, name="sitemap"),
    path("news-sitemap.xml", sitemaps.news_sitemap_view, name="news_sitemap"),
    path("robots.txt", sitemaps.robots_txt_view, name="robots_txt"),
]
