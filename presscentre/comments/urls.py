from django.urls import path

from presscentre.comments import feeds, views

app_name = "comments"


def site_feed(request):
    # A feed object per request: feeds keep the request and the instant on themselves while rendering.
    return feeds.SiteCommentsFeed()(request)


def item_feed(request, item_id: int):
    return feeds.ItemCommentsFeed()(request, item_id=item_id)


urlpatterns = [
    path("post/<int:item_id>/", views.post, name="post"),
    path("challenge/<int:item_id>/", views.challenge, name="challenge"),
    path("feed/", site_feed, name="feed"),
    path("feed/<int:item_id>/", item_feed, name="item_feed"),
]
