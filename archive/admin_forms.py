"""The intermediate pages of the admin's curation actions: a form asks what the action
needs (the tag to merge into, the tag to add...), then archive.curation does it."""

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AutocompleteSelect
from django.db.models import Count, QuerySet
from django.template.response import TemplateResponse
from django.utils.translation import ngettext

from archive.models import Article, Region, Tag

TEMPLATE = "admin/archive/action_form.html"
SHOWN = 50  # of the selected objects, listed on the page by name


class _TagWithCount(forms.ModelChoiceField):
    def label_from_instance(self, tag: Tag) -> str:
        count = tag.article_count
        return ngettext("%(name)s (%(count)d article)", "%(name)s (%(count)d articles)", count) % {
            "name": tag.name,
            "count": count,
        }


class MergeTagsForm(forms.Form):
    """Which of the selected tags keeps the articles: only those are offered (the whole tag
    list would be hundreds of names to scroll past), the most used first, as the most used
    is usually the name readers know."""

    into = _TagWithCount(
        queryset=Tag.objects.none(),
        label="Merge into",
        widget=forms.RadioSelect,
        empty_label=None,
        help_text="The tag that keeps the articles; the others are deleted and their "
        "addresses redirect to it.",
    )

    def __init__(self, *args, selected: QuerySet, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = (
            Tag.objects.filter(pk__in=selected.values("pk"))
            .annotate(article_count=Count("articles", distinct=True))
            .order_by("-article_count", "name")
        )


class ChooseTagForm(forms.Form):
    tag = forms.ModelChoiceField(
        queryset=Tag.objects.all(),
        widget=AutocompleteSelect(Article._meta.get_field("tags"), admin.site),
    )


class ChooseRegionForm(forms.Form):
    region = forms.ModelChoiceField(
        queryset=Region.objects.all(),
        label="Dateline place",
        widget=AutocompleteSelect(Article._meta.get_field("dateline_region"), admin.site),
    )


def action_form(
    modeladmin, request, queryset, form_class, *, title, intro, form_kwargs=None, **initial
):
    """The action's form, bound when the intermediate page was submitted. Returns (form,
    response): a valid form and no page, or the page to show. ``form_kwargs`` go to the
    form's constructor (MergeTagsForm's ``selected``)."""
    form_kwargs = form_kwargs or {}
    if "apply" in request.POST:
        form = form_class(request.POST, **form_kwargs)
        if form.is_valid():
            return form, None
    else:
        form = form_class(initial=initial, **form_kwargs)
    # The selection goes back as it came: the ticked ids of one page and, after "Select all
    # N", select_across (the list's filters, in the address, rebuild the N). Never the N ids
    # themselves: thousands of fields would pass Django's DATA_UPLOAD_MAX_NUMBER_FIELDS.
    select_across = request.POST.get("select_across") == "1"
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "intro": intro,
        "opts": modeladmin.model._meta,
        "form": form,
        "media": modeladmin.media + form.media,
        "shown": list(queryset[:SHOWN]),
        "total": queryset.count(),
        "select_across": select_across,
        "selected_ids": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        "action": request.POST.get("action", ""),
    }
    return form, TemplateResponse(request, TEMPLATE, context)


class FixDatelineTextForm(ChooseRegionForm):
    """One printed dateline (place and qualifier) and the region all its articles get."""

    place = forms.CharField(widget=forms.HiddenInput)
    qualifier = forms.CharField(widget=forms.HiddenInput, required=False)
