from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CompanyProfile(models.Model):
    """Who we are on the documents we send (the order confirmation PDF): one row, edited in the
    admin (Settings → Company profile). Until it is saved, the ``TEND_COMPANY_*`` settings
    stand in."""

    name = models.CharField(_("company name"), max_length=200)
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    email = models.EmailField(_("email"), blank=True)
    bank_details = models.TextField(
        _("bank details"),
        blank=True,
        help_text=_("Printed on the proforma invoice: bank, account, SWIFT/BIC, IBAN."),
    )
    logo = models.BinaryField(_("logo"), blank=True, editable=False, default=b"")
    logo_type = models.CharField(max_length=40, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("company profile")
        verbose_name_plural = _("company profile")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="one_company")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> "CompanyProfile":
        """The saved profile, or one filled from the settings (not saved)."""
        return cls.objects.filter(pk=1).first() or cls(
            pk=1,
            name=settings.TEND_COMPANY_NAME,
            address=settings.TEND_COMPANY_ADDRESS,
            phone=settings.TEND_COMPANY_PHONE,
            email=settings.TEND_COMPANY_EMAIL,
        )
