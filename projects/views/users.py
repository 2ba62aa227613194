"""User management for the planning office, without the Django admin (issue 21): the list of
accounts, a new account (its owner sets the password from a mailed link), changes of name,
address, unit and role, deactivating and reactivating, and a new password link. Every change is
audited (projects/users.py) and shown on the account's page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from projects import access, users
from projects.audit import describe_changes
from projects.filters import UserFilterForm
from projects.forms import UserForm
from projects.models import User

USERS_PER_PAGE = 50
LIST_COLUMNS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "role",
    "is_active",
    "last_login",
    "unit__code",
    "unit__name",
)


@login_required
def user_list(request):
    access.require_user_management(request.user)
    form = UserFilterForm(request.GET)
    accounts = form.filter(User.objects.select_related("unit").only(*LIST_COLUMNS)).order_by("username")
    page = Paginator(accounts, USERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "projects/users/list.html", {"form": form, "page": page})


@login_required
def user_new(request):
    access.require_user_management(request.user)
    form = UserForm(request.POST or None, manager=request.user)
    if request.method == "POST" and form.is_valid():
        account = users.user_create(by=request.user, values=form.cleaned_data)
        messages.success(request, _("สร้างบัญชี %(name)s แล้ว") % {"name": account.username})
        if request.POST.get("invite") and _send_invite(request, account):
            messages.info(request, _("ส่งลิงก์ตั้งรหัสผ่านไปที่ %(email)s แล้ว") % {"email": account.email})
        return redirect("users:edit", pk=account.pk)
    return render(request, "projects/users/form.html", {"form": form, "account": None})


@login_required
def user_edit(request, pk):
    account = access.user_for_management(request.user, pk)
    form = UserForm(request.POST or None, instance=account, manager=request.user)
    if request.method == "POST" and form.is_valid():
        account, changed = users.user_update(by=request.user, user=account, values=form.cleaned_data)
        messages.success(request, _("บันทึกแล้ว") if changed else _("ไม่มีการเปลี่ยนแปลง"))
        return redirect("users:edit", pk=account.pk)
    entries = list(users.history(account)[:50])
    for entry in entries:
        entry.rows = describe_changes(entry)
    context = {"form": form, "account": account, "entries": entries, "is_self": account.pk == request.user.pk}
    return render(request, "projects/users/form.html", context)


@login_required
@require_POST
def user_set_active(request, pk):
    account = access.user_for_management(request.user, pk)
    active = request.POST.get("active") == "1"
    if account.pk == request.user.pk and not active:
        messages.error(request, _("ไม่สามารถปิดการใช้งานบัญชีของตนเองได้"))
        return redirect("users:edit", pk=account.pk)
    note = request.POST.get("note", "").strip()[:500]
    account, changed = users.user_update(by=request.user, user=account, values={"is_active": active}, note=note)
    if changed:
        message = _("เปิดการใช้งานบัญชี %(name)s แล้ว") if active else _("ปิดการใช้งานบัญชี %(name)s แล้ว")
        messages.success(request, message % {"name": account.username})
    return redirect("users:edit", pk=account.pk)


@login_required
@require_POST
def user_invite(request, pk):
    account = access.user_for_management(request.user, pk)
    if _send_invite(request, account):
        messages.success(request, _("ส่งลิงก์ตั้งรหัสผ่านไปที่ %(email)s แล้ว") % {"email": account.email})
    else:
        messages.error(request, _("ส่งลิงก์ไม่ได้: บัญชีนี้ไม่มีอีเมลหรือถูกปิดการใช้งาน"))
    return redirect("users:edit", pk=account.pk)


def _send_invite(request, account):
    """Mail the owner a one-time link to set their password (Django's password-reset token: it
    stops working once the password is set) and audit it. False when there is no one to mail."""
    if not account.email or not account.is_active:
        return False
    link = request.build_absolute_uri(
        reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(account.pk)),
                "token": default_token_generator.make_token(account),
            },
        )
    )
    context = {"account": account, "link": link, "by": request.user}
    subject = render_to_string("registration/account_invite_subject.txt", context).strip()
    send_mail(subject, render_to_string("registration/account_invite_email.txt", context), None, [account.email])
    users.user_invited(by=request.user, user=account)
    return True
