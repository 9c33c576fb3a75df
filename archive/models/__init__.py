from .articles import Article, Outlet, Tag
from .comments import Comment, ModerationEvent
from .places import Region, RegionName

__all__ = ["Article", "Comment", "ModerationEvent", "Outlet", "Region", "RegionName", "Tag"]
