"""What this app plugs into the layers below it: the sending kinds, the item-made-public signal, the worker's chores."""


def register() -> None:
    pass
