from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from presscentre.newsroom.models import Boilerplate, Category, Person, PressContact


class CategoryViewSet(SnippetViewSet):
    model = Category
    icon = "tag"
    list_display = ["name", "slug"]
    search_fields = ["name"]


class PersonViewSet(SnippetViewSet):
    model = Person
    icon = "user"
    list_display = ["name", "role", "available_for_comment"]
    list_filter = ["available_for_comment"]
    search_fields = ["name", "role"]


class PressContactViewSet(SnippetViewSet):
    model = PressContact
    icon = "mail"
    list_display = ["name", "role", "phone", "out_of_hours_phone", "email"]


class BoilerplateViewSet(SnippetViewSet):
    model = Boilerplate
    icon = "doc-full"
    list_display = ["name"]


class NewsroomViewSetGroup(SnippetViewSetGroup):
    menu_label = "Newsroom"
    menu_icon = "folder-open-inverse"
    menu_order = 250
    items = (CategoryViewSet, PersonViewSet, PressContactViewSet, BoilerplateViewSet)


register_snippet(NewsroomViewSetGroup)
