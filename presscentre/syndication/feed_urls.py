"""Feed URLs at the site root, WordPress-style; `?type=<type-slug>` narrows any of them to one item type."""

from django.urls import path

from presscentre.syndication.feeds import AtomItemFeed, ItemFeed, JsonItemFeed, PodcastFeed

app_name = "feeds"


def _formats(prefix: str, name: str) -> list:
    return [
        path(f"{prefix}feed/", ItemFeed.as_view(), name=f"{name}rss"),
        path(f"{prefix}feed/atom/", AtomItemFeed.as_view(), name=f"{name}atom"),
        path(f"{prefix}feed/json/", JsonItemFeed.as_view(), name=f"{name}json"),
    ]


urlpatterns = [
    *_formats("", ""),
    path("feed/podcast/", PodcastFeed.as_view(), name="podcast"),
    *_formats("category/<str:category_slug>/", "category_"),
    *_formats("author/<str:person_slug>/", "person_"),
]
