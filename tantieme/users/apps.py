from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "tantieme.users"
    label = "users"

    def ready(self) -> None:
        # Registers the user_logged_in receiver that stamps the sign-in time (absolute timeout).
        from tantieme.users import middleware, periodic  # noqa: F401  (and the periodic jobs)
