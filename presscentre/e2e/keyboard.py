"""Moving through a page as a keyboard user does: Tab until the wanted control has the focus."""

ACTIVE_IS = {
    "id": "(id) => document.activeElement && document.activeElement.id === id",
    "altcha": "() => { const e = document.activeElement; return Boolean(e && e.closest('altcha-widget')); }",
    "button": (
        "(label) => { const e = document.activeElement; "
        "return Boolean(e && e.tagName === 'BUTTON' && e.textContent.trim() === label); }"
    ),
}


def tab_to(page, kind: str, argument: str | None = None, *, limit: int = 250) -> int:
    """Press Tab until the focus is on the control described; return how many presses it took."""
    check = ACTIVE_IS[kind]
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(check, argument):
            return presses
    raise AssertionError(f"{limit} presses of Tab never reached the {kind} {argument or ''} on {page.url}")
