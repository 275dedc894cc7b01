"""What this app plugs into the layers below it: the sending kinds, the item-made-public signal, the worker's chores."""


def register() -> None:
    # Sending (alerts-sending): alerts at the moment an item is public, digests at the site's times, and the
    # catch-up for an alert whose moment was missed.
    from datetime import timedelta

    from presscentre.alerts import alerting, digests
    from presscentre.core.worker import register_chore
    from presscentre.distribution.kinds import register_kind
    from presscentre.distribution.models import Distribution
    from presscentre.embargo.signals import item_made_public
    from presscentre.newsroom.signals import demo_embargo_moved

    item_made_public.connect(alerting.on_item_made_public, dispatch_uid="presscentre.alerts.alert")
    demo_embargo_moved.connect(alerting.forget_demo_alert, dispatch_uid="presscentre.alerts.demo")
    register_kind(Distribution.Kind.ALERT, recipients=alerting.alert_recipients, compose=alerting.compose_alert)
    for kind in digests.DIGESTS:
        register_kind(kind, recipients=digests.digest_recipients, compose=digests.compose_digest)
    register_chore("alerts: catch up missed alerts", alerting.catch_up_alerts, every=timedelta(seconds=30))
    register_chore("alerts: queue due digests", digests.queue_due_digests, every=timedelta(minutes=1))

    # Subscribers (alerts-public): the /subscribe/ pages carry tokens and forms, so the page cache never keeps them;
    # the footer's sign-up form shows the consent text, so changing it purges every page; unconfirmed sign-ups go.
    from django.db.models.signals import post_save

    from presscentre.alerts import subscribing
    from presscentre.alerts.models import AlertSettings
    from presscentre.pagecache import registry

    registry.register_bypass_prefix("/subscribe/")
    registry.register_model("alerts.AlertSettings")
    post_save.connect(subscribing.forget_remembered_settings, sender=AlertSettings, dispatch_uid="alerts.settings")
    register_chore("alerts: delete expired sign-ups", subscribing.delete_expired_sign_ups, every=timedelta(hours=1))
