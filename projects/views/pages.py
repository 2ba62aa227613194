from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render

from projects.models import Project


@login_required
def home(request):
    return redirect("projects:list")


@login_required
def project_list(request):
    projects = Project.objects.with_latest_progress().select_related("unit")[:50]
    return render(request, "projects/list.html", {"projects": projects})


@login_required
def project_detail(request, code):
    project = get_object_or_404(Project, code=code)
    return render(request, "projects/detail.html", {"project": project})
