"""The Django admin's app config, served on the operator host only, under the staff sign-in policy.

Kept apart from `users.apps`: a module holding two AppConfig classes has no default one.
"""

from django.contrib.admin.apps import AdminConfig


class OperatorAdminConfig(AdminConfig):
    default_site = "tantieme.users.operator_admin.OperatorAdminSite"
