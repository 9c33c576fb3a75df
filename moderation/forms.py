import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.validators import MaxLengthValidator, MinLengthValidator

from archive.models import Article, Comment
from archive.models.comments import CommentStatus, RejectionReason
from moderation.screening import Flag

_STAMP_SALT = "dateline.moderation.comment-form"


def issue_form_stamp(article: Article, issued_at: float | None = None) -> str:
    """A signed note of which article's form this is and when it was served."""
    issued_at = time.time() if issued_at is None else issued_at
    return signing.dumps({"article": article.pk, "issued": issued_at}, salt=_STAMP_SALT)


class CommentForm(forms.Form):
    """A reader's comment, with the two checks that catch most bots before any screening:

    a honeypot field people never see (bots fill every field in), and a signed time stamp
    (bots post within a second of loading the page; a stamp from hours ago is a replay).
    """

    author_name = forms.CharField(label="Name", max_length=80)
    author_email = forms.EmailField(
        label="E-mail", max_length=254, help_text="Required. Never shown to anyone but moderators."
    )
    body = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 6}))
    # The honeypot: hidden by CSS and from assistive technology, so only a bot fills it.
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    stamp = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, article: Article, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article
        self.stamp_is_stale = False
        body = self.fields["body"]
        body.min_length = settings.COMMENT_BODY_MIN_LENGTH
        body.max_length = settings.COMMENT_BODY_MAX_LENGTH
        body.validators += [
            MinLengthValidator(body.min_length),
            MaxLengthValidator(body.max_length),
        ]
        body.widget.attrs.update({"minlength": body.min_length, "maxlength": body.max_length})
        body.help_text = f"Up to {body.max_length} characters. All comments are moderated."
        if not self.is_bound:
            self.initial["stamp"] = issue_form_stamp(article)

    def clean_author_email(self) -> str:
        return self.cleaned_data["author_email"].lower()

    def clean_body(self) -> str:
        return self.cleaned_data["body"].replace("\r\n", "\n").replace("\r", "\n")

    def clean(self):
        cleaned = super().clean()
        if "stamp" in cleaned:
            self._check_stamp(cleaned["stamp"])
        return cleaned

    def _check_stamp(self, stamp: str) -> None:
        try:
            issued = signing.loads(stamp, salt=_STAMP_SALT)
            if issued["article"] != self.article.pk:
                raise signing.BadSignature("a stamp from another article's form")
            age = time.time() - float(issued["issued"])
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            self.stamp_is_stale = True
            raise forms.ValidationError(
                "This form could not be verified. Please send your comment again.",
                code="bad_stamp",
            ) from None
        if age < settings.COMMENT_MIN_SECONDS:
            raise forms.ValidationError(
                "That was quick. Please take a moment and send your comment again.",
                code="too_fast",
            )
        if age > settings.COMMENT_FORM_MAX_AGE:
            self.stamp_is_stale = True
            raise forms.ValidationError(
                "This form has expired. Please send your comment again.", code="too_old"
            )

    def renew_stale_stamp(self) -> None:
        """Give a re-shown form a fresh stamp when the old one can never pass."""
        if self.stamp_is_stale or "stamp" in self.errors:
            self.data = self.data.copy()
            self.data["stamp"] = issue_form_stamp(self.article)

    @property
    def honeypot_filled(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    def submission(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in ("author_name", "author_email", "body")}


class ArticleWithCommentsField(forms.ModelChoiceField):
    def label_from_instance(self, article: Article) -> str:
        return article.title if len(article.title) <= 70 else f"{article.title[:69]}…"


class QueueFilterForm(forms.Form):
    """The queue's filters, read from the query string. A bad value is ignored, not an error."""

    STATUS_ALL = "all"

    status = forms.ChoiceField(
        choices=[*CommentStatus.choices, (STATUS_ALL, "All")], required=False
    )
    article = ArticleWithCommentsField(
        queryset=Article.objects.filter(comments__isnull=False).distinct().order_by("title"),
        required=False,
        empty_label="Any article",
    )
    reason = forms.ChoiceField(
        choices=[("", "Any reason"), *RejectionReason.choices], required=False
    )
    flag = forms.ChoiceField(choices=[("", "Any flag"), *Flag.choices], required=False)
    order = forms.ChoiceField(
        choices=[("oldest", "Oldest first"), ("score", "Most suspect first")], required=False
    )

    def __init__(self, data=None):
        super().__init__(data if data is not None else {})
        self.is_valid()  # fills cleaned_data with the fields that are valid

    def value(self, name: str):
        return self.cleaned_data.get(name) or None

    @property
    def status_filter(self) -> str:
        return self.value("status") or CommentStatus.PENDING

    def filter(self, comments):
        if self.status_filter != self.STATUS_ALL:
            comments = comments.filter(status=self.status_filter)
        if article := self.value("article"):
            comments = comments.filter(article=article)
        if reason := self.value("reason"):
            comments = comments.filter(rejection_reason=reason)
        if flag := self.value("flag"):
            comments = comments.flagged(flag)
        return comments


class RejectForm(forms.Form):
    reason = forms.ChoiceField(choices=RejectionReason.choices)
    note = forms.CharField(required=False, max_length=1000)


class ApproveForm(forms.Form):
    note = forms.CharField(required=False, max_length=1000)


class BulkDecisionForm(forms.Form):
    APPROVE, REJECT = "approve", "reject"

    action = forms.ChoiceField(choices=[(APPROVE, "Approve"), (REJECT, "Reject")])
    comments = forms.ModelMultipleChoiceField(
        queryset=Comment.objects.all(),
        error_messages={"required": "Select at least one comment."},
    )
    reason = forms.ChoiceField(choices=[("", "Reason…"), *RejectionReason.choices], required=False)
    note = forms.CharField(required=False, max_length=1000)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == self.REJECT and not cleaned.get("reason"):
            self.add_error("reason", "A rejection needs a reason from the comment policy.")
        return cleaned
