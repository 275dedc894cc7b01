from django.urls import path

from presscentre.syndication import sitemaps

app_name = "sitemaps"

urlpatterns = [
    path("sitemap.xml", sitemaps.sitemap_index_view, name="sitemap"),
    path("sitemap-pages.xml", sitemaps.sitemap_pages_view, name="pages"),
    path("sitemap-items-<int:number>.xml", sitemaps.sitemap_items_view, name="items"),
    path("news-sitemap.xml", sitemaps.news_sitemap_view, name="news_sitemap"),
    path("robots.txt", sitemaps.robots_txt_view, name="robots_txt"),
]
