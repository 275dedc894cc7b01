"""What an import did: counts per kind and outcome, the reasons for skips, and warnings for editors."""

from collections import Counter
from dataclasses import dataclass, field

from presscentre.importers.content import REMOTE_IMAGES


@dataclass
class ImportSummary:
    """Counts of created, updated and skipped records per kind, with the reasons for skips."""

    path: str = ""
    dry_run: bool = False
    counts: Counter = field(default_factory=Counter)  # (kind, outcome) -> n
    reasons: Counter = field(default_factory=Counter)  # (kind, outcome, reason) -> n
    page_ids: list[int] = field(default_factory=list)
    stored_files: list = field(default_factory=list)  # (storage, name) copied in, removed if the run fails
    notices: list[str] = field(default_factory=list)  # what needs an editor's attention, one sentence each
    remote_images: int = 0  # images still loaded from the old site, which the site's own CSP blocks
    remote_image_items: int = 0

    def note_content(self, notes: Counter) -> None:
        """What converting one item's content left behind (content.convert's notes) joins the report."""
        if notes.get(REMOTE_IMAGES):
            self.remote_images += notes[REMOTE_IMAGES]
            self.remote_image_items += 1
        for reason, n in notes.items():
            if reason != REMOTE_IMAGES and n:
                self.reasons[("content", "note", reason)] += n

    def warnings(self) -> list[str]:
        """What readers would miss, said before the counts. Nothing is fetched from the old site (a server that
        fetches addresses named in an upload is a risk of its own), so the remedy is named instead."""
        if not self.remote_images:
            return []
        one = self.remote_images == 1
        images = f"{self.remote_images} image{'' if one else 's'}"
        items = f"{self.remote_image_items} item{'s' if self.remote_image_items != 1 else ''}"
        return [
            f"{images} in {items} still point{'s' if one else ''} at the old site. This site's Content Security "
            f"Policy (img-src 'self') blocks {'it' if one else 'them'}, so readers see broken images. Nothing was "
            "fetched: import again from the command line with --media-dir set to the old site's wp-content/uploads "
            f"folder to copy {'it' if one else 'them'}."
        ]

    def record(self, kind: str, outcome: str, reason: str = "") -> None:
        self.counts[(kind, outcome)] += 1
        if reason:
            self.reasons[(kind, outcome, reason)] += 1

    def count(self, kind: str, outcome: str) -> int:
        return self.counts[(kind, outcome)]

    def rows(self) -> list[tuple[str, int, int, int]]:
        kinds = sorted({kind for kind, _ in self.counts})
        return [
            (kind, self.count(kind, "created"), self.count(kind, "updated"), self.count(kind, "skipped"))
            for kind in kinds
        ]

    def reason_rows(self) -> list[tuple[str, str, str, int]]:
        return [(kind, outcome, reason, n) for (kind, outcome, reason), n in sorted(self.reasons.items())]

    def table(self) -> str:
        lines = [f"WARNING: {warning}" for warning in self.warnings()]
        lines += [f"{'kind':<12} {'created':>8} {'updated':>8} {'skipped':>8}"]
        lines += [f"{kind:<12} {c:>8} {u:>8} {s:>8}" for kind, c, u, s in self.rows()]
        for kind, outcome, reason, n in self.reason_rows():
            lines.append(f"  {kind} {outcome} ({reason}): {n}")
        lines += [f"NOTE: {notice}" for notice in self.notices]
        return "\n".join(lines)

    def remove_stored_files(self) -> None:
        """The run was rolled back: its copies in media storage belong to nothing now."""
        for storage, name in self.stored_files:
            storage.delete(name)
        self.stored_files.clear()
