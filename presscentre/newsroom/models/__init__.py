from presscentre.newsroom.models.article import ArticlePage
from presscentre.newsroom.models.content_page import ContentPage
from presscentre.newsroom.models.index import ITEM_TYPES, PressCentrePage
from presscentre.newsroom.models.items import (
    RESERVED_SLUGS,
    ItemAsset,
    ItemCategory,
    ItemPerson,
    NewsItemPage,
    NewsItemTag,
)
from presscentre.newsroom.models.media_appearance import MediaAppearancePage
from presscentre.newsroom.models.press_release import PressReleasePage, ReleaseContact
from presscentre.newsroom.models.report import ReportDocument, ReportPage
from presscentre.newsroom.models.site_settings import DefaultPressContact, PressCentreSettings
from presscentre.newsroom.models.snippets import Boilerplate, Category, Person, PressContact

__all__ = [
    "ITEM_TYPES",
    "RESERVED_SLUGS",
    "ArticlePage",
    "Boilerplate",
    "Category",
    "ContentPage",
    "DefaultPressContact",
    "ItemAsset",
    "ItemCategory",
    "ItemPerson",
    "MediaAppearancePage",
    "NewsItemPage",
    "NewsItemTag",
    "Person",
    "PressCentrePage",
    "PressContact",
    "PressCentreSettings",
    "PressReleasePage",
    "ReleaseContact",
    "ReportDocument",
    "ReportPage",
]
