from django.db import models


class FourthMandate(models.Model):
    """What only the fourth provider keeps (a standing mandate, say): a table of its own."""

    provider_mandate_id = models.CharField(max_length=64, unique=True)

    class Meta:
        app_label = "fourth_gateway"

    def __str__(self) -> str:
        return self.provider_mandate_id
