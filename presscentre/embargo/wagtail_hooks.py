from django.http import Http404
from django.utils import timezone
from wagtail import hooks

from presscentre.embargo.services import can_download


@hooks.register("register_log_actions")
def register_embargo_log_actions(actions):
    actions.register_action("presscentre.embargo.lift", "Embargo lifted", "Embargo lifted")
    actions.register_action("presscentre.embargo.missed", "Embargo lifted late (missed)", "Embargo lifted late")
    actions.register_action("presscentre.embargo.move", "Embargo moved", "Embargo moved")
    actions.register_action("presscentre.embargo.cancel", "Embargo cancelled", "Embargo cancelled")


@hooks.register("before_serve_document", order=-100)
def refuse_embargoed_documents(document, request):
    """A document attached to an embargoed item is a 404 to the public, however it is requested."""
    if not can_download(document, at=timezone.now(), viewer=request.user):
        raise Http404("No such document.")
