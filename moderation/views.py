"""Thin views: a form, a service call, a response.

Readers post comments from the article page (``PostCommentView``). Moderators work the queue
(``QueueView`` and the decision views). Decisions answer a plain form post with a redirect
back to the queue, and a request from moderation.js (header ``X-Queue-Fragment``) with the
re-rendered comment, so the queue updates in place when JavaScript runs and works without.
A refused bulk decision shows the queue page again (400) with the comments still ticked.
"""

import json
from collections.abc import Collection
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

from archive.models import Comment
from archive.views import ArticleDetailView
from moderation.addresses import ip_hash_for
from moderation.forms import (
    ApproveForm,
    BulkDecisionForm,
    CommentForm,
    QueueFilterForm,
    RejectForm,
)
from moderation.queue import ModerationQueue, attach_histories
from moderation.roles import MODERATE_PERMISSION
from moderation.services import (
    CommentRefused,
    approve_comments,
    reject_comments,
    submit_comment,
)

HELD_FOR_MODERATION = (
    "Thank you. Your comment is held for moderation and will appear here once a moderator "
    "approves it."
)


# Readers


class PostCommentView(ArticleDetailView):
    """The article page's comment form posts here; errors show on the article page again."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.object = article = self.get_object()
        if not article.is_published:
            return self.render_to_response(self.get_context_data())  # the withdrawn page
        form = CommentForm(request.POST, article=article)
        status = 400
        if form.is_valid():
            try:
                submit_comment(
                    article=article,
                    **form.submission(),
                    ip_hash=ip_hash_for(request),
                    honeypot_filled=form.honeypot_filled,
                )
            except CommentRefused as refusal:
                form.add_error(None, refusal.message)
                status = refusal.status_code
            else:
                # A bot that filled the honeypot hears the same: nothing tells it it was caught.
                messages.success(request, HELD_FOR_MODERATION, extra_tags="comment")
                return redirect(f"{article.get_absolute_url()}#comments")
        form.renew_stale_stamp()
        return self.render_to_response(self.get_context_data(comment_form=form), status=status)


# Moderators


class ModeratorRequiredMixin(PermissionRequiredMixin):
    """Anonymous visitors go to the login page; signed-in non-moderators get 403."""

    permission_required = MODERATE_PERMISSION
    login_url = reverse_lazy("moderation:login")


def _queue_url(request: HttpRequest) -> str:
    """Where a plain form post returns to: the queue page it came from."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("moderation:queue")


def _wants_fragment(request: HttpRequest) -> bool:
    return request.headers.get("X-Queue-Fragment") == "1"


def render_queue_item(request: HttpRequest, comment: Comment, status: int = 200, error=""):
    """One comment of the queue, as moderation.js swaps it in, with fresh status counts."""
    comment = ModerationQueue.item(comment.pk)
    attach_histories([comment])
    html = render_to_string(
        "moderation/_comment.html",
        {
            "comment": comment,
            "error": error,
            "next": request.POST.get("next", ""),
            "reasons": Comment.Reason.choices,
        },
        request=request,
    )
    response = HttpResponse(html, status=status)
    response["X-Queue-Counts"] = json.dumps(ModerationQueue.counts())
    return response


def queue_page_context(
    query: QueryDict,
    *,
    next_url: str,
    bulk_form: BulkDecisionForm | None = None,
    ticked: Collection[int] = (),
) -> dict:
    """The queue page as the query string ``query`` filters and pages it; decisions made on it
    come back to ``next_url``. A refused bulk decision shows its form and ticks again."""
    filters = QueueFilterForm(query)
    queue = ModerationQueue(filters)
    page = Paginator(queue.comments(), settings.COMMENTS_PER_QUEUE_PAGE).get_page(query.get("page"))
    attach_histories(page.object_list)
    counts = queue.counts()
    tabs = [
        {"status": status, "label": label, "count": counts[status]}
        for status, label in filters.fields["status"].choices
    ]
    return {
        "filters": filters,
        "status": filters.status_filter,
        "tabs": tabs,
        "page_obj": page,
        "comments": page.object_list,
        "bulk_form": bulk_form or BulkDecisionForm(),
        "ticked": set(ticked),
        "reasons": Comment.Reason.choices,
        "next": next_url,
        # The queue's own query: its links are built from it and the queue's address, not
        # from the request's, which is the bulk decision's POST when a refusal re-renders.
        "queue_query": query,
    }


class QueueView(ModeratorRequiredMixin, TemplateView):
    template_name = "moderation/queue.html"

    def get_context_data(self, **kwargs):
        page = queue_page_context(self.request.GET, next_url=self.request.get_full_path())
        return super().get_context_data(**page, **kwargs)


class DecisionView(ModeratorRequiredMixin, View):
    """Approve or reject one comment; a reversal is the same request on a decided comment."""

    http_method_names = ["post"]
    form_class: type = ApproveForm

    def decide(self, comment: Comment, form) -> bool:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        comment = get_object_or_404(Comment, pk=pk)
        form = self.form_class(request.POST)
        if not form.is_valid():
            error = " ".join(message for errors in form.errors.values() for message in errors)
            if _wants_fragment(request):
                return render_queue_item(request, comment, status=400, error=error)
            messages.error(request, error)
            return redirect(_queue_url(request))
        changed = self.decide(comment, form)
        if _wants_fragment(request):
            return render_queue_item(request, comment)
        comment.refresh_from_db()
        outcome = f"{comment.get_status_display()}" if changed else "Unchanged (already decided)"
        messages.success(request, f"{outcome}: comment by {comment.author_name}.")
        return redirect(_queue_url(request))


class ApproveView(DecisionView):
    form_class = ApproveForm

    def decide(self, comment: Comment, form) -> bool:
        return bool(
            approve_comments([comment.pk], moderator=self.request.user, **form.cleaned_data)
        )


class RejectView(DecisionView):
    form_class = RejectForm

    def decide(self, comment: Comment, form) -> bool:
        return bool(reject_comments([comment.pk], moderator=self.request.user, **form.cleaned_data))


class BulkDecisionView(ModeratorRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        form = BulkDecisionForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            # The queue page it came from, shown again rather than redirected to, so that the
            # comments ticked (and the reason and note) are still there to correct and send.
            queue_url = _queue_url(request)
            page = queue_page_context(
                QueryDict(urlsplit(queue_url).query),
                next_url=queue_url,
                bulk_form=form,
                ticked=[comment.pk for comment in form.cleaned_data.get("comments", [])],
            )
            return render(request, QueueView.template_name, page, status=400)
        ids = [comment.pk for comment in form.cleaned_data["comments"]]
        note = form.cleaned_data["note"]
        if form.cleaned_data["action"] == BulkDecisionForm.APPROVE:
            events = approve_comments(ids, moderator=request.user, note=note)
            verb = "Approved"
        else:
            reason = form.cleaned_data["reason"]
            events = reject_comments(ids, moderator=request.user, reason=reason, note=note)
            verb = "Rejected"
        unchanged = len(ids) - len(events)
        summary = f"{verb} {len(events)} comment{'s' if len(events) != 1 else ''}."
        if unchanged:
            summary += f" {unchanged} already had that status."
        messages.success(request, summary)
        return redirect(_queue_url(request))
