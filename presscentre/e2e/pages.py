"""What every journey does to a page: photograph it at two widths and check it with axe-core."""

from pathlib import Path

from presscentre.e2e.conftest import AXE_SOURCE, DESKTOP, PHONE, SCREENSHOTS

# WCAG 2.0, 2.1 and 2.2, levels A and AA (axe has no separate wcag22a tag: its 2.2 A rules carry wcag2a/21a).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

RUN_AXE = """async (tags) => {
  const results = await window.axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary, html: n.html})),
  }));
}"""


def screenshot(page, name: str) -> list[Path]:
    """Full-page screenshots at desktop (1280) and phone (390) widths, as artifacts/screenshots/<name>-*.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    paths = []
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        path = SCREENSHOTS / f"{name}-{label}.png"
        page.screenshot(path=str(path), full_page=True)
        paths.append(path)
    page.set_viewport_size(DESKTOP)
    return paths


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2.2 AA violations on the page as it is now.

    The script is evaluated through the DevTools protocol rather than added as a <script>, so the site's
    Content Security Policy stays in force for everything the page itself runs.
    """
    if not page.evaluate("() => Boolean(window.axe)"):
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    return page.evaluate(RUN_AXE, WCAG_TAGS)


FINISH_ANIMATIONS = """() => Promise.all(
    document.getAnimations()
        .filter((animation) => animation.effect && animation.effect.getComputedTiming().endTime !== Infinity)
        .map((animation) => animation.finished.catch(() => null))
)"""


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['url']}>")
        for node in violation["nodes"][:10]:
            lines.append(f"    at {node['target']}: {node['html'][:160]}")
            lines.extend(f"      {line}" for line in (node["summary"] or "").splitlines())
    return "\n".join(lines)


def assert_accessible(page, name: str) -> None:
    """No WCAG 2.2 A/AA violation on the page, with a readable list of what is wrong when there are some.

    Finite CSS animations and transitions (the admin's messages fading in) are let finish first: axe measures the
    colours as drawn, and a frame mid-fade would fail contrast that the settled page meets.
    """
    page.evaluate(FINISH_ANIMATIONS)
    violations = axe_violations(page)
    assert not violations, f"axe-core found {len(violations)} WCAG violation(s) on {name} ({page.url}):\n" + (
        describe_violations(violations)
    )


def settle(page) -> None:
    """Wait until the page has loaded and its custom elements (the ALTCHA widget) have drawn themselves."""
    page.wait_for_load_state("load")
    page.wait_for_function(
        "() => [...document.querySelectorAll(':not(:defined)')].every((e) => !e.localName.includes('-'))"
    )


def check_page(page, name: str) -> None:
    """Screenshots at both widths, then axe-core on the page at each of them (the phone layout is its own page)."""
    settle(page)
    screenshot(page, name)
    try:
        for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
            page.set_viewport_size(viewport)
            assert_accessible(page, f"{name} at {label} width ({viewport['width']} px)")
    finally:
        page.set_viewport_size(DESKTOP)
