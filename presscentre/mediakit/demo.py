"""The demo's pictures and files (`manage.py load_demo_media`, after `load_demo_data`): drawn here with Pillow, so
the demo needs no photographs of real people or places, each with its alt text, caption, credit and licence; the
galleries of three releases (the upcoming embargoed one among them), a report and a media appearance; headshots for
the spokespeople who have none; and the media kit's four collections.

Running it again changes nothing: pictures are found by title, galleries and collections are set only when they
differ from what the demo wants, and an item whose gallery changes is published again as an editor would.
"""

import io
import math
import random
from dataclasses import dataclass
from datetime import date

from django.core.files.images import ImageFile
from django.db import transaction
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont, ImageOps
from wagtail.documents import get_document_model
from wagtail.models import Collection

from presscentre.core.models import Licence, PressCentreImage
from presscentre.mediakit.models import MediaKitCollection, MediaKitEntry
from presscentre.newsroom.demo import ORGANISATION_NAME, PEOPLE, UPCOMING_EMBARGOED_RELEASE
from presscentre.newsroom.models import NewsItemPage, Person
from presscentre.newsroom.models.items import ItemAsset

WIDTH, HEIGHT = 3000, 2000  # big enough that the print size (up to 4,000 px) differs from the web size
PRESS_OFFICE_CREDIT = f"{ORGANISATION_NAME} press office"


@dataclass(frozen=True)
class DemoPicture:
    title: str
    alt: str
    caption: str
    credit: str
    licence: str
    draw: str  # the name of the function below that draws it
    people_shown: str = ""
    usage_terms: str = ""
    made_on: date | None = None
    is_public: bool = False  # pictures in the media kit are public by being there; gallery pictures follow items


PICTURES = (
    DemoPicture(
        title="The institute's building on Carver Street",
        alt="A four-storey brick building with tall windows and a blue door, under an evening sky",
        caption="The institute's home on Carver Street, opened in 1968.",
        credit="Photo: Hana Kowalczyk",
        licence=Licence.CC_BY_4,
        draw="building",
        made_on=date(2024, 9, 12),
    ),
    DemoPicture(
        title="The Carver Street lecture room",
        alt="Rows of empty seats facing a lectern and a large screen in a panelled room",
        caption="The lecture room, where the institute launches its reports.",
        credit="Photo: Hana Kowalczyk",
        licence=Licence.CC_BY_4,
        draw="lecture_room",
        made_on=date(2024, 9, 12),
    ),
    DemoPicture(
        title="Chart: rent as a share of income, 2015 to 2025",
        alt="A bar chart of rent as a share of renters' income rising from 26 to 33 per cent over ten years",
        caption="Private renters' rent as a share of their income, England, 2015 to 2025.",
        credit=f"Chart: {ORGANISATION_NAME}",
        licence=Licence.CC0,
        draw="chart",
        usage_terms="Free to redraw in your own style; please cite the institute as the source of the figures.",
    ),
    DemoPicture(
        title="Chart: households in fuel poverty by region",
        alt="A bar chart of the share of households in fuel poverty in nine regions, highest in the North East",
        caption="Households in fuel poverty by region, 2024.",
        credit=f"Chart: {ORGANISATION_NAME}",
        licence=Licence.CC0,
        draw="regions_chart",
    ),
    DemoPicture(
        title="Chart: household income against forecast",
        alt="A line chart of typical household income falling below the official forecast from 2023 onwards",
        caption="Typical household disposable income against the 2022 forecast, 2019 to 2025.",
        credit=f"Chart: {ORGANISATION_NAME}",
        licence=Licence.CC_BY_4,
        draw="income_chart",
    ),
    DemoPicture(
        title="Retrofit works on a terraced street",
        alt="A row of terraced houses with scaffolding on two of them and insulation boards stacked outside",
        caption="External wall insulation going up on a street in Gateshead.",
        credit="Photo: Dev Mistry for the institute",
        licence=Licence.EDITORIAL,
        draw="terrace",
        made_on=date(2025, 2, 4),
        usage_terms="Editorial use with this release only; not for advertising.",
    ),
    DemoPicture(
        title="Household budgets workshop",
        alt="Six people around a table covered in papers and receipts, one pointing at a whiteboard",
        caption="Families comparing their weekly costs at a workshop for the living standards audit.",
        credit="Photo: Dev Mistry for the institute",
        licence=Licence.RIGHTS_RESERVED,
        draw="workshop",
        people_shown="Participants, who asked not to be named",
        usage_terms="Ask the press office before any use: participants agreed to coverage of the audit only.",
        made_on=date(2025, 1, 21),
    ),
    DemoPicture(
        title="Radio Meridian studio",
        alt="A radio studio with two microphones on arms over a desk and an on-air light glowing red",
        caption="Before the Budget programme at Radio Meridian.",
        credit="Photo: Radio Meridian",
        licence=Licence.EDITORIAL,
        draw="studio",
        people_shown="Owen Maddox",
    ),
    DemoPicture(
        title="Annual lecture 2024",
        alt="An audience seen from behind, facing a speaker at a lectern under a large screen",
        caption="The 2024 annual lecture, given by Dr Miriam Okafor.",
        credit="Photo: Hana Kowalczyk",
        licence=Licence.CC_BY_4,
        draw="lecture_audience",
        people_shown="Dr Miriam Okafor",
        made_on=date(2024, 11, 14),
        is_public=True,
    ),
    DemoPicture(
        title="Open day at Carver Street",
        alt="Visitors gathered in the institute's courtyard around display boards on a sunny day",
        caption="Visitors at the institute's open day.",
        credit="Photo: Hana Kowalczyk",
        licence=Licence.EDITORIAL,
        draw="open_day",
        made_on=date(2025, 6, 7),
        is_public=True,
    ),
)

LOGO = DemoPicture(
    title=f"{ORGANISATION_NAME} logo",
    alt=f"{ORGANISATION_NAME} logo: a blue arch over the institute's name",
    caption="The logo in colour on a transparent background, for use on light backgrounds.",
    credit=ORGANISATION_NAME,
    licence=Licence.EDITORIAL,
    draw="logo",
    usage_terms="Do not stretch, recolour or add effects; leave space around it at least the height of the arch.",
    is_public=True,
)

# Item slug -> the gallery's picture titles (and the fact sheet, where named).
FACT_SHEET_TITLE = "Fact sheet: private renters in England"
GALLERIES = {
    "private-renters-spend-a-third-of-income-on-rent": [
        "Chart: rent as a share of income, 2015 to 2025",
        "The institute's building on Carver Street",
        FACT_SHEET_TITLE,
    ],
    "insulation-programme-three-million-homes": [
        "Retrofit works on a terraced street",
        "Chart: households in fuel poverty by region",
    ],
    # The embargoed release's pictures are its own: a picture it shared with a public item would wait for its lift.
    UPCOMING_EMBARGOED_RELEASE.slug: ["Household budgets workshop", "Chart: household income against forecast"],
    "ten-year-plan-to-end-cold-homes": [
        "Chart: households in fuel poverty by region",
        "Retrofit works on a terraced street",
        "The Carver Street lecture room",
    ],
    "owen-maddox-on-the-budget-radio-meridian": ["Radio Meridian studio"],
}

COLLECTIONS = (
    ("Logos and brand", "Our logo for articles and broadcasts. Please use it as it is.", [LOGO.title]),
    ("Spokespeople", "Headshots of the people who speak for the institute.", None),  # their headshots
    (
        "Our building",
        "The institute's home on Carver Street, inside and out.",
        ["The institute's building on Carver Street", "The Carver Street lecture room"],
    ),
    ("Events", "Lectures, launches and open days.", ["Annual lecture 2024", "Open day at Carver Street"]),
)


# -- drawing ------------------------------------------------------------------------------------------------------


def _seeded(seed: int) -> random.Random:
    # Drawing, not secrets: the same seed draws the same demo picture on every machine.
    return random.Random(seed)  # noqa: S311


def _gradient(size, top, bottom) -> Image.Image:
    ramp = Image.linear_gradient("L").resize(size)
    return ImageOps.colorize(ramp, black=top, white=bottom)


def _grain(image: Image.Image, seed: int) -> Image.Image:
    """A little noise, so the JPEGs have the texture (and roughly the size) of photographs."""
    noise = Image.effect_noise((image.width // 4, image.height // 4), 24).resize(image.size)
    rng = _seeded(seed)
    return Image.blend(image, Image.merge("RGB", [noise] * 3), 0.06 + rng.random() * 0.02)


def draw_building(draw: ImageDraw.ImageDraw, image: Image.Image) -> None:
    image.paste(_gradient(image.size, (40, 60, 110), (240, 170, 120)))
    draw.rectangle([0, 1700, WIDTH, HEIGHT], fill=(90, 90, 95))
    draw.rectangle([600, 450, 2400, 1700], fill=(150, 70, 55))
    for row in range(4):
        for column in range(7):
            x, y = 700 + column * 240, 520 + row * 290
            draw.rectangle([x, y, x + 150, y + 210], fill=(250, 225, 150) if (row + column) % 3 else (60, 70, 90))
    draw.rectangle([1420, 1380, 1580, 1700], fill=(20, 70, 150))
    draw.polygon([(560, 450), (1500, 250), (2440, 450)], fill=(70, 45, 40))


def draw_lecture_room(draw: ImageDraw.ImageDraw, image: Image.Image) -> None:
    image.paste(_gradient(image.size, (120, 85, 60), (60, 40, 30)))
    draw.rectangle([900, 150, 2100, 800], fill=(230, 235, 245), outline=(30, 30, 30), width=12)
    draw.rectangle([1350, 850, 1650, 1150], fill=(90, 55, 35))
    for row in range(5):
        y = 1200 + row * 160
        inset = 300 - row * 60
        for x in range(inset, WIDTH - inset, 180):
            draw.rounded_rectangle([x, y, x + 140, y + 110], radius=20, fill=(150, 30, 40))


def _bars(draw, values, *, colour, top, baseline=1750, left=300, right=2800) -> None:
    draw.line([left, baseline, right, baseline], fill=(40, 40, 40), width=8)
    step = (right - left) / len(values)
    for index, value in enumerate(values):
        x = left + index * step + step * 0.15
        draw.rectangle([x, baseline - value / top * 1400, x + step * 0.7, baseline], fill=colour)


def draw_chart(draw: ImageDraw.ImageDraw, image: Image.Image) -> None:
    image.paste((250, 248, 240), [0, 0, WIDTH, HEIGHT])
    _bars(draw, [26, 26.5, 27, 27.8, 28.1, 28.6, 29.5, 30.4, 31.2, 32.1, 33], colour=(11, 83, 148), top=35)
    draw.text((300, 120), "Rent as a share of income (%)", fill=(20, 20, 20), font=ImageFont.load_default(110))


def draw_regions_chart(draw: ImageDraw.ImageDraw, image: Image.Image) -> None:
    image.paste((245, 248, 250), [0, 0, WIDTH, HEIGHT])
    _bars(draw, [18, 16, 15, 14, 13, 12, 11, 10, 9], colour=(200, 90, 30), top=20)
    draw.text((300, 120), "Households in fuel poverty (%)", fill=(20, 20, 20), font=ImageFont.load_default(110))


def draw_income_chart(draw: ImageDraw.ImageDraw, image: Image.Image) -> None:
    image.paste((248, 248, 252), [0, 0, WIDTH, HEIGHT])
    draw.line([300, 1750, 2800, 1750], fill=(40, 40, 40), width=8)
    forecast = [(300 + index * 400, 1200 - index * 60) for index in range(7)]
    actual = [(300 + index * 400, 1200 - index * 60 + max(0, index - 3) * 140) for index in range(7)]
    draw.line(forecast, fill=(150, 150, 150), width=20)
    draw.line(actual, fill=(11, 83, 148), width=28)
    draw.text((300, 120), "Household income against forecast", fill=(20, 20, 20), font=ImageFont.load_default(110))


def draw_terrace(draw: ImageDraw.ImageDraw, image: Image.Image) -> None:
    image.paste(_gradient(image.size, (150, 190, 230), (225, 230, 235)))
    for index in range(6):
        x = index * 500
        draw.rectangle([x, 700, x + 490, 1750], fill=(170 - index * 5, 90, 70))
        draw.polygon([(x, 700), (x + 245, 520), (x + 490, 700)], fill=(80, 80, 90))
        draw.rectangle([x + 60, 850, x + 200, 1050], fill=(235, 235, 240))
        draw.rectangle([x + 300, 1350, x + 420, 1750], fill=(30, 60, 40))
        if index in (1, 2):
            for level in range(700, 1750, 200):
                draw.line([x, level, x + 490, level], fill=(200, 200, 200), width=14)
            for post in range(x, x + 491, 160):
                draw.line([post, 650, post, 1750], fill=(200, 200, 200), width=14)
    draw.rectangle([0, 1750, WIDTH, HEIGHT], fill=(110, 110, 110))
    for stack in range(5):
        draw.rectangle([1100 + stack * 70, 1800 - stack * 20, 1600, 1850], fill=(250, 220, 90))


def _person(draw, x, y, scale, colour) -> None:
    draw.ellipse([x - 60 * scale, y - 200 * scale, x + 60 * scale, y - 80 * scale], fill=(205, 160, 130))
    draw.rounded_rectangle([x - 110 * scale, y - 70 * scale, x + 110 * scale, y + 200 * scale], 40, fill=colour)


def draw_workshop(draw: ImageDraw.ImageDraw, image: Image.Image) -> None:
    image.paste(_gradient(image.size, (235, 225, 205), (190, 175, 150)))
    draw.rectangle([200, 200, 1200, 900], fill=(252, 252, 252), outline=(60, 60, 60), width=10)
    draw.ellipse([700, 1100, 2300, 1800], fill=(140, 95, 60))
    rng = _seeded(6)
    for _ in range(40):
        x, y = rng.randint(900, 2000), rng.randint(1250, 1600)
        draw.rectangle([x, y, x + 120, y + 80], fill=(250, 250, 245))
    for index, (x, y) in enumerate([(800, 1050), (1150, 950), (1550, 930), (1950, 980), (2300, 1100), (600, 1300)]):
        _person(draw, x, y, 1.6, [(40, 90, 140), (150, 40, 50), (60, 120, 70), (90, 60, 120)][index % 4])


def draw_studio(draw: ImageDraw.ImageDraw, image: Image.Image) -> None:
    image.paste(_gradient(image.size, (30, 30, 40), (70, 70, 85)))
    draw.rectangle([0, 1400, WIDTH, HEIGHT], fill=(50, 45, 45))
    draw.rounded_rectangle([1300, 150, 1700, 350], radius=40, fill=(220, 30, 30))
    draw.text((1360, 190), "ON AIR", fill=(255, 240, 240), font=ImageFont.load_default(110))
    for x in (900, 2100):
        draw.line([x, 500, x + 200, 1100], fill=(160, 160, 160), width=30)
        draw.rounded_rectangle([x + 150, 1050, x + 300, 1350], radius=60, fill=(25, 25, 25))


def draw_lecture_audience(draw: ImageDraw.ImageDraw, image: Image.Image) -> None:
    draw_lecture_room(draw, image)
    rng = _seeded(11)
    for row in range(4):
        for x in range(150, WIDTH, 260):
            _person(draw, x + rng.randint(-40, 40), 1350 + row * 180, 1.0, (rng.randint(20, 120),) * 3)
    _person(draw, 1500, 1000, 1.2, (20, 60, 120))


def draw_open_day(draw: ImageDraw.ImageDraw, image: Image.Image) -> None:
    image.paste(_gradient(image.size, (120, 180, 240), (250, 245, 220)))
    draw.rectangle([0, 1200, WIDTH, HEIGHT], fill=(190, 175, 150))
    for x in (500, 1400, 2300):
        draw.rectangle([x, 700, x + 500, 1300], fill=(11, 83, 148))
        draw.rectangle([x + 40, 740, x + 460, 1000], fill=(245, 245, 245))
    rng = _seeded(3)
    for _ in range(26):
        colour = (rng.randint(30, 230), rng.randint(30, 230), rng.randint(30, 230))
        _person(draw, rng.randint(150, 2850), rng.randint(1450, 1800), 1.1, colour)


def draw_headshot(draw: ImageDraw.ImageDraw, image: Image.Image, *, seed: int) -> None:
    """An abstract portrait: a coloured backdrop, a head and shoulders, no likeness of anyone."""
    rng = _seeded(seed)
    hue = [(50, 90, 140), (120, 70, 90), (60, 110, 90), (140, 110, 60), (80, 80, 120), (100, 60, 50)][seed % 6]
    image.paste(_gradient(image.size, hue, (235, 235, 235)))
    width, height = image.size
    skin = [(241, 194, 160), (198, 134, 90), (141, 85, 56), (224, 172, 105)][rng.randrange(4)]
    draw.ellipse([width * 0.2, height * 0.7, width * 0.8, height * 1.3], fill=(40 + seed * 20 % 120, 50, 70))
    draw.rectangle([width * 0.43, height * 0.55, width * 0.57, height * 0.75], fill=skin)
    draw.ellipse([width * 0.3, height * 0.2, width * 0.7, height * 0.62], fill=skin)
    hair = [(30, 25, 20), (90, 60, 30), (150, 150, 150), (60, 40, 30)][rng.randrange(4)]
    draw.chord([width * 0.28, height * 0.15, width * 0.72, height * 0.5], 180, 360, fill=hair)


def draw_logo() -> Image.Image:
    logo = Image.new("RGBA", (1600, 800), (0, 0, 0, 0))
    draw = ImageDraw.Draw(logo)
    draw.arc([300, 60, 1300, 1060], 180, 360, fill=(11, 83, 148, 255), width=90)
    for index in range(5):
        angle = math.pi + (index + 1) * math.pi / 6
        x, y = 800 + 500 * math.cos(angle), 560 + 500 * math.sin(angle)
        draw.line([800, 560, x, y], fill=(11, 83, 148, 160), width=24)
    font = ImageFont.load_default(120)
    text = ORGANISATION_NAME
    draw.text((800 - draw.textlength(text, font=font) / 2, 600), text, fill=(27, 31, 36, 255), font=font)
    return logo


def picture_bytes(picture: DemoPicture) -> tuple[bytes, str]:
    """The drawn picture as a JPEG (or, for the logo, a PNG with transparency) and its file name."""
    out = io.BytesIO()
    if picture.draw == "logo":
        draw_logo().save(out, "PNG", optimize=True)
        return out.getvalue(), "ashcombe-logo.png"
    image = Image.new("RGB", (WIDTH, HEIGHT))
    globals()[f"draw_{picture.draw}"](ImageDraw.Draw(image), image)
    _grain(image, seed=len(picture.title)).save(out, "JPEG", quality=88)
    return out.getvalue(), f"{picture.draw.replace('_', '-')}.jpg"


def headshot_bytes(seed: int) -> bytes:
    image = Image.new("RGB", (2000, 3000))
    draw_headshot(ImageDraw.Draw(image), image, seed=seed)
    out = io.BytesIO()
    _grain(image, seed=seed).save(out, "JPEG", quality=88)
    return out.getvalue()


def fact_sheet_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.multi_cell(0, 10, FACT_SHEET_TITLE)
    pdf.set_font("Helvetica", size=12)
    for line in (
        "Private renters in England spent 33 per cent of their income on rent in 2025, up from 26 per cent in 2015.",
        "One in five private renters spends more than half of their income on rent.",
        "Source: the institute's analysis of the English Housing Survey, 2015 to 2025.",
        f"Contact: {PRESS_OFFICE_CREDIT}.",
    ):
        pdf.ln(4)
        pdf.multi_cell(0, 7, line)
    return bytes(pdf.output())


# -- loading ------------------------------------------------------------------------------------------------------


def ensure_image(picture: DemoPicture, *, summary: dict) -> PressCentreImage:
    image = PressCentreImage.objects.filter(title=picture.title).first()
    if image is not None:
        return image
    data, name = picture_bytes(picture)
    image = PressCentreImage(
        title=picture.title,
        description=picture.alt,
        caption=picture.caption,
        credit=picture.credit,
        licence=picture.licence,
        usage_terms=picture.usage_terms,
        people_shown=picture.people_shown,
        made_on=picture.made_on,
        is_public=picture.is_public,
        collection=Collection.get_first_root_node(),
        file=ImageFile(io.BytesIO(data), name=name),
    )
    image._set_image_file_metadata()
    image.save()
    summary["images"] += 1
    return image


def ensure_fact_sheet(*, summary: dict):
    document_model = get_document_model()
    document = document_model.objects.filter(title=FACT_SHEET_TITLE).first()
    if document is not None:
        return document
    data = fact_sheet_pdf()
    document = document_model(
        title=FACT_SHEET_TITLE,
        caption="The release's main figures on one page.",
        credit=ORGANISATION_NAME,
        licence=Licence.CC_BY_4,
        made_on=date(2025, 3, 1),
        file=ImageFile(io.BytesIO(data), name="private-renters-fact-sheet.pdf"),
    )
    document.file_size = len(data)
    document.save()
    summary["documents"] += 1
    return document


def ensure_headshots(*, summary: dict) -> list[PressCentreImage]:
    """A drawn headshot for each demo spokesperson who has no photo; the spokespeople's headshots, in demo order."""
    headshots = []
    for seed, demo_person in enumerate(PEOPLE):
        person = Person.objects.filter(slug=demo_person.slug).first()
        if person is None:
            continue
        if person.photo_id is None:
            title = f"Headshot: {demo_person.name}"
            image = PressCentreImage.objects.filter(title=title).first()
            if image is None:
                data = headshot_bytes(seed)
                image = PressCentreImage(
                    title=title,
                    description=f"Portrait of {demo_person.name}, {demo_person.role}",
                    caption=f"{demo_person.name}, {demo_person.role}.",
                    credit="Illustration: Hana Kowalczyk",
                    licence=Licence.EDITORIAL,
                    people_shown=demo_person.name,
                    is_public=True,
                    collection=Collection.get_first_root_node(),
                    file=ImageFile(io.BytesIO(data), name=f"{demo_person.slug}.jpg"),
                )
                image._set_image_file_metadata()
                image.save()
                summary["images"] += 1
            person.photo = image
            person.save(update_fields=["photo"])
            summary["headshots"] += 1
        headshots.append(person.photo)
    return headshots


def ensure_gallery(item: NewsItemPage, assets: list, *, summary: dict) -> None:
    """Give the item exactly this gallery, publishing it again (as an editor would) only if it differs."""
    wanted = [("image" if isinstance(asset, PressCentreImage) else "document", asset.pk) for asset in assets]
    current = [
        ("image" if row.image_id else "document", row.image_id or row.document_id)
        for row in ItemAsset.objects.filter(item_id=item.pk).order_by("sort_order", "pk")
    ]
    if current == wanted:
        return
    page = item.specific
    page.media_assets = [
        ItemAsset(image=asset) if isinstance(asset, PressCentreImage) else ItemAsset(document=asset) for asset in assets
    ]
    page.save_revision(clean=False).publish()
    summary["galleries"] += 1


def ensure_collection(title: str, intro: str, sort_order: int, assets: list, *, summary: dict) -> None:
    collection, created = MediaKitCollection.objects.get_or_create(
        title=title, defaults={"intro": intro, "sort_order": sort_order}
    )
    current = list(collection.entries.order_by("sort_order", "pk").values_list("image_id", flat=True))
    if not created and current == [asset.pk for asset in assets]:
        return
    collection.entries = [MediaKitEntry(image=asset) for asset in assets]
    collection.save()
    summary["collections"] += 1


@transaction.atomic
def load_demo_media() -> dict:
    """Draw and attach the demo's pictures and files; returns how many of each were made or changed."""
    summary = {"images": 0, "documents": 0, "headshots": 0, "galleries": 0, "collections": 0}
    images = {picture.title: ensure_image(picture, summary=summary) for picture in (*PICTURES, LOGO)}
    assets = {**images, FACT_SHEET_TITLE: ensure_fact_sheet(summary=summary)}
    headshots = ensure_headshots(summary=summary)
    for slug, titles in GALLERIES.items():
        item = NewsItemPage.objects.filter(slug=slug).first()
        if item is not None:
            ensure_gallery(item, [assets[title] for title in titles], summary=summary)
    for order, (title, intro, titles) in enumerate(COLLECTIONS, start=1):
        members = headshots if titles is None else [images[name] for name in titles]
        ensure_collection(title, intro, order, members, summary=summary)
    return summary
