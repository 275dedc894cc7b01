"""Views with one trait each, for the response-side bypass rules."""

from django.http import HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.urls import path
from django.utils.cache import patch_vary_headers
from django.views.decorators.csrf import csrf_exempt

CALLS = {"count": 0}


def counted(build):
    @csrf_exempt
    def view(request):
        CALLS["count"] += 1
        return build(request)

    return view


def plain(request):
    return HttpResponse(f"plain page {request.GET.get('n', '')}")


def sets_cookie(request):
    response = HttpResponse("a page that sets a cookie")
    response.set_cookie("chosen", "1")
    return response


def private(request):
    response = HttpResponse("for this reader")
    response["Cache-Control"] = "private"
    return response


def no_store(request):
    response = HttpResponse("keep nowhere")
    response["Cache-Control"] = "no-store"
    return response


def varies_on_cookie(request):
    response = HttpResponse(f"cookies: {sorted(request.COOKIES)}")
    patch_vary_headers(response, ["Cookie"])
    return response


def varies_on_language(request):
    response = HttpResponse("language")
    patch_vary_headers(response, ["Accept-Language"])
    return response


def not_found(request):
    return HttpResponse("gone", status=404)


def server_error(request):
    return HttpResponse("broken", status=500)


urlpatterns = [
    path("plain/", counted(plain)),
    path("sets-cookie/", counted(sets_cookie)),
    path("private/", counted(private)),
    path("no-store/", counted(no_store)),
    path("varies-on-cookie/", counted(varies_on_cookie)),
    path("varies-on-language/", counted(varies_on_language)),
    path("not-found/", counted(not_found)),
    path("server-error/", counted(server_error)),
    path("moved/", counted(lambda request: HttpResponsePermanentRedirect("/plain/"))),
    path("found/", counted(lambda request: HttpResponseRedirect("/plain/"))),
    path("admin/plain/", counted(plain)),
    path("embargoed/plain/", counted(plain)),
    path("healthz", counted(plain)),
]
