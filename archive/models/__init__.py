from . import history  # noqa: F401  (registers Article's change history)
from .articles import Article, Outlet, Tag
from .comments import Comment, ModerationEvent
from .places import GazetteerVersion, Region, RegionName
from .region_redirects import RegionRedirect
from .tag_redirects import TagRedirect

__all__ = [
    "Article",
    "Comment",
    "GazetteerVersion",
    "ModerationEvent",
    "Outlet",
    "Region",
    "RegionName",
    "RegionRedirect",
    "Tag",
    "TagRedirect",
]
