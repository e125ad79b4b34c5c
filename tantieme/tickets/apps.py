from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tantieme.tickets"
    label = "tickets"
