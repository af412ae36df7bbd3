import factory
from factory.django import DjangoModelFactory

from newsletter.models import Subscriber, SubscriberStatus


class SubscriberFactory(DjangoModelFactory):
    class Meta:
        model = Subscriber

    email = factory.Sequence(lambda n: f"lezer{n}@voorbeeld.example")
    name = factory.Sequence(lambda n: f"Lezer {n}")
    status = SubscriberStatus.ACTIVE
    confirmed_at = factory.Faker("date_time_this_year", tzinfo=__import__("datetime").UTC)
