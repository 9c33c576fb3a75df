"""Login lockouts (django-axes) in the admin, for superusers only.

axes offers its "clean up expired attempts" action to anyone who can open the admin; here
it needs the permission to delete attempts, as deleting them is what it does.
"""

from axes import admin as axes_admin  # registers axes' admins first, to replace one here
from axes.models import AccessAttempt
from django.contrib import admin


@admin.action(description="Clean up expired attempts", permissions=["delete"])
def cleanup_expired_attempts(modeladmin, request, queryset):
    return axes_admin.AccessAttemptAdmin.cleanup_expired_attempts(modeladmin, request, queryset)


class AccessAttemptAdmin(axes_admin.AccessAttemptAdmin):
    actions = [cleanup_expired_attempts]


admin.site.unregister(AccessAttempt)
admin.site.register(AccessAttempt, AccessAttemptAdmin)
