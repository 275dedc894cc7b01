from wagtail import hooks

from presscentre.core.avatars import initials_avatar_url


@hooks.register("get_avatar_url")
def initials_avatar(user, size):
    """Every avatar Wagtail draws (sidebar, dashboard, history, listings) is the user's initials, not a Gravatar."""
    return initials_avatar_url(user, size)
