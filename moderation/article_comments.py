"""The comments block under an article (templates/includes/comments.html): its context."""

from archive.models import Article, Comment
from moderation.forms import CommentForm
from moderation.services import CommentsClosed, check_comments_open


def comment_section_context(article: Article, form: CommentForm | None = None) -> dict:
    """Approved comments, and the form (a fresh one unless given) or why comments are closed."""
    try:
        check_comments_open(article)
    except CommentsClosed as closed:
        form, closed_message = None, closed.message
    else:
        form, closed_message = form or CommentForm(article=article), ""
    return {
        "comments": Comment.objects.shown_on(article),
        "comment_form": form,
        "comments_closed": closed_message,
    }
