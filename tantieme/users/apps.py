from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "tantieme.users"
    label = "users"
