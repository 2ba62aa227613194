"""A user's personal API tokens (/accounts/tokens/): the list, a new token (its string shown
once, on the answer to the POST that made it, and never again: only its hash is stored), and
revoking one. Administrators list and revoke anyone's in the Django admin."""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from projects import services
from projects.models import ApiToken

# More would be a forgotten script's, not a person's: revoke old ones first.
MAX_ACTIVE_TOKENS = 20


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("ชื่อโทเค็น"),
        max_length=100,
        help_text=gettext_lazy("ใช้ทำอะไร เช่น สคริปต์ส่งข้อมูลเข้า eMENSCR"),
        error_messages={
            "required": gettext_lazy("กรุณาตั้งชื่อโทเค็น"),
            "max_length": gettext_lazy("ข้อความยาวเกินกำหนด: ไม่เกิน %(limit_value)d ตัวอักษร"),
        },
    )
    days = forms.IntegerField(label=gettext_lazy("อายุ (วัน)"), min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        days = self.fields["days"]
        days.validators.append(_MaxDays())
        days.initial = settings.API_TOKEN_DAYS
        days.help_text = _("ไม่เกิน %(days)s วัน") % {"days": settings.API_TOKEN_MAX_DAYS}
        days.error_messages.update(
            invalid=_("กรุณากรอกจำนวนวันเป็นตัวเลข"),
            min_value=_("อายุต้องอย่างน้อย 1 วัน"),
            required=_("กรุณากรอกอายุของโทเค็น"),
        )


class _MaxDays:
    def __call__(self, value):
        if value > settings.API_TOKEN_MAX_DAYS:
            raise forms.ValidationError(_("อายุได้ไม่เกิน %(days)s วัน") % {"days": settings.API_TOKEN_MAX_DAYS})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    tokens = list(ApiToken.objects.filter(user=request.user))
    now = timezone.now()
    active = [token for token in tokens if token.is_active(now)]
    created = None
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            if len(active) >= MAX_ACTIVE_TOKENS:
                form.add_error(
                    None, _("มีโทเค็นที่ใช้งานได้ครบ %(n)s รายการแล้ว กรุณาเพิกถอนโทเค็นที่ไม่ใช้ก่อน") % {"n": MAX_ACTIVE_TOKENS}
                )
            else:
                expires_at = now + timedelta(days=form.cleaned_data["days"])
                token, text = services.api_token_create(
                    user=request.user, name=form.cleaned_data["name"], expires_at=expires_at
                )
                created = {"token": token, "text": text}
                tokens.insert(0, token)
                form = TokenForm()
    else:
        form = TokenForm()
    for token in tokens:
        token.active = token.is_active(now)
    # The answer that shows a new token must not stay in any cache (never_cache: no-store).
    return render(request, "projects/tokens.html", {"form": form, "tokens": tokens, "created": created})


@login_required
@require_POST
def token_revoke(request, pk):
    """Revoke one of one's own tokens (someone else's is a 404: nothing says it exists)."""
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.api_token_revoke(token=token, user=request.user)
    messages.success(request, _("เพิกถอนโทเค็น %(name)s แล้ว") % {"name": token.name})
    return redirect("api_tokens")
