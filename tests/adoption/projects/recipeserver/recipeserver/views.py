from django.conf import settings
from django.http import JsonResponse


def recipe_list(request):
    return JsonResponse(
        {"recipes": [], "environment": settings.CONFIGURATION.rpartition(".")[2]},
    )
