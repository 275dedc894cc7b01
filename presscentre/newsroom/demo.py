"""Demo content for a fictional UK think tank, so a fresh install has a press centre worth looking at.

Everything here is original text written for this project. The institute, its people, the outlets and the
figures are invented. Titles and slugs are fixed; only the dates move, counted back from the moment of loading,
so the newest item is always a few days old. Loading is idempotent: objects are looked up by slug (or another
natural key) and anything already present is left exactly as it is.
"""

import io
import math
import sys
import wave
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from wagtail.documents import get_document_model
from wagtail.documents.models import AbstractDocument
from wagtail.models import Page, ReferenceIndex, Site
from wagtail.signal_handlers import disable_reference_index_auto_update
from wagtail.utils.file import hash_filelike

from presscentre.core.urls_public import public_base_url
from presscentre.newsroom.models import (
    ArticlePage,
    Boilerplate,
    Category,
    DefaultPressContact,
    ItemCategory,
    ItemPerson,
    MediaAppearancePage,
    NewsItemPage,
    Person,
    PressCentrePage,
    PressCentreSettings,
    PressContact,
    PressReleasePage,
    ReportDocument,
    ReportPage,
)

ORGANISATION_NAME = "The Ashcombe Institute"
INDEX_SLUG = "press-centre"
BOILERPLATE_NAME = "Standard boilerplate"
DEFAULT_ADMIN_USERNAME = "admin"
# A local demo credential, printed to whoever runs the loader; never used outside a demo database.
DEFAULT_ADMIN_PASSWORD = "presscentre-demo"  # noqa: S105
LONDON = ZoneInfo("Europe/London")

# Wagtail's first migration creates this page as the default site's root; the press centre replaces it.
WAGTAIL_WELCOME_TITLE = "Welcome to your new Wagtail site!"

INDEX_INTRO = (
    "<p>News, comment and analysis from <b>The Ashcombe Institute</b>, an independent think tank working on "
    "the economy, energy, housing, health, skills and work. Journalists will find our media contacts, "
    "including out-of-hours numbers, at the foot of every press release.</p>"
    "<p><i>This is demonstration content for Press Centre: the institute, its people, the outlets and the "
    "figures are all fictional.</i></p>"
)

BOILERPLATE_TEXT = (
    "<p>The Ashcombe Institute is an independent, non-partisan research institute based in London. It works "
    "on the economy, energy and climate, housing, health and care, education and skills, and work and welfare, "
    "and publishes all of its research and data free of charge.</p>"
    "<p>The institute and everyone named in this demonstration are fictional.</p>"
)


@dataclass(frozen=True)
class DemoCategory:
    slug: str
    name: str
    description: str


CATEGORIES = (
    DemoCategory("economy", "Economy", "Growth, public finances, tax and living standards."),
    DemoCategory("energy-climate", "Energy & Climate", "Energy bills, home efficiency and a fair route to net zero."),
    DemoCategory("housing", "Housing", "Renting, home ownership, social housing and planning."),
    DemoCategory("health-care", "Health & Care", "The NHS, social care, unpaid carers and public health."),
    DemoCategory("education-skills", "Education & Skills", "Schools, colleges, apprenticeships and adult learning."),
    DemoCategory("work-welfare", "Work & Welfare", "Pay, insecure work, Universal Credit and the safety net."),
)


@dataclass(frozen=True)
class DemoPerson:
    slug: str
    name: str
    role: str
    bio: str
    topics: tuple[str, ...]
    available_for_comment: bool


PEOPLE = (
    DemoPerson(
        "miriam-okafor",
        "Dr Miriam Okafor",
        "Director",
        "Miriam has led the institute since 2021. She was previously a senior economist in local government and "
        "writes on poverty, work and the benefits system.",
        ("work-welfare", "economy"),
        True,
    ),
    DemoPerson(
        "owen-maddox",
        "Owen Maddox",
        "Chief Economist",
        "Owen leads the institute's work on the public finances, tax and regional growth. Before joining he spent "
        "ten years forecasting for a building society.",
        ("economy", "housing"),
        True,
    ),
    DemoPerson(
        "tom-pryce",
        "Tom Pryce",
        "Senior Fellow, Energy and Climate",
        "Tom researches household energy costs and how to share the cost of net zero fairly. He trained as a "
        "building services engineer.",
        ("energy-climate",),
        True,
    ),
    DemoPerson(
        "priya-raman",
        "Priya Raman",
        "Head of Housing Research",
        "Priya runs the institute's quarterly housing dashboard and its work on private renting, social housing "
        "and planning reform.",
        ("housing",),
        True,
    ),
    DemoPerson(
        "alan-whitcombe",
        "Professor Alan Whitcombe",
        "Visiting Fellow, Health and Social Care",
        "Alan is a health economist who has advised several integrated care boards. He writes on the social care "
        "workforce and prevention.",
        ("health-care",),
        False,
    ),
    DemoPerson(
        "jess-lindqvist",
        "Jess Lindqvist",
        "Research Fellow, Education and Skills",
        "Jess studies adult learning, apprenticeships and further education colleges, and taught in a sixth-form "
        "college for six years.",
        ("education-skills", "work-welfare"),
        False,
    ),
)


@dataclass(frozen=True)
class DemoPressContact:
    email: str
    name: str
    role: str
    phone: str
    out_of_hours_phone: str
    topic: str = ""  # a category slug: the contact for journalists on that beat; none for the press office's own


# Numbers are from Ofcom's ranges reserved for drama, so they can never reach a real person. The two without a
# topic are the default contacts every release falls back on; the others answer for one beat each.
PRESS_CONTACTS = (
    DemoPressContact("press@ashcombe.example.org", "Hannah Greaves", "Head of Media", "020 7946 0321", "07700 900412"),
    DemoPressContact(
        "samir.chowdhury@ashcombe.example.org", "Samir Chowdhury", "Press Officer", "020 7946 0322", "07700 900587"
    ),
    DemoPressContact(
        "oona.farrell@ashcombe.example.org",
        "Oona Farrell",
        "Senior Press Officer, economy and welfare",
        "020 7946 0324",
        "07700 900633",
        topic="economy",
    ),
    DemoPressContact(
        "kwame.mensah@ashcombe.example.org",
        "Kwame Mensah",
        "Press Officer, housing and energy",
        "020 7946 0327",
        "07700 900718",
        topic="housing",
    ),
)


@dataclass(frozen=True)
class TopicText:
    """Paragraphs shared by every item on a topic, so each item needs only its own opening."""

    heading: str
    context: str
    closing: str
    quotes: tuple[str, str]
    note: str
    method: str


TOPICS = {
    "economy": TopicText(
        heading="What the numbers show",
        context=(
            "The institute's economists combine official statistics with their own survey of 6,000 adults, carried "
            "out every six months since 2019. The survey asks about income, spending, savings and debts, and about "
            "how confident people feel about the year ahead, which lets the team see how policy changes feel on "
            "the ground as well as on paper."
        ),
        closing=(
            "The institute will publish updated estimates after each fiscal event and makes its model available "
            "to other researchers, so that the assumptions behind every figure can be checked and challenged."
        ),
        quotes=(
            "Growth that never reaches people's pay packets is not the kind of growth voters will thank anyone "
            "for. The test for every policy should be whether it makes ordinary households more secure.",
            "We can afford to invest in the things that make the economy stronger. What we cannot afford is "
            "another decade of putting it off.",
        ),
        note=(
            "The institute's household survey is carried out every six months with a representative sample of "
            "6,000 adults in the UK. Full tables are published alongside each release."
        ),
        method=(
            "This report draws on official statistics, the institute's twice-yearly household survey and a "
            "microsimulation model of the tax and benefit system."
        ),
    ),
    "energy-climate": TopicText(
        heading="Why it matters now",
        context=(
            "Homes account for around a fifth of the country's carbon emissions, most of it from gas boilers in "
            "poorly insulated buildings. Cutting those emissions is also the surest way to protect households from "
            "the next spike in wholesale prices, because every home that uses less energy is less exposed when "
            "the market turns."
        ),
        closing=(
            "The institute is working with councils, energy suppliers and consumer groups on the detail of its "
            "proposals and will publish a full costing ahead of the next spending review."
        ),
        quotes=(
            "Net zero will only last if people can see that it is fair. That means asking who pays, not just how "
            "much, and making sure the families with least are not left holding the bill.",
            "The technology is ready and the workforce can be trained. What has been missing is a plan that lasts "
            "longer than a single winter.",
        ),
        note=(
            "Estimates of household savings use the institute's housing stock model, which combines national "
            "housing survey data with Energy Performance Certificate records."
        ),
        method=(
            "This report uses the institute's housing stock model, built from national housing survey data and "
            "three million Energy Performance Certificates, together with published energy price forecasts."
        ),
    ),
    "housing": TopicText(
        heading="The state of the market",
        context=(
            "Home ownership among people in their thirties has fallen sharply over the past twenty years, while "
            "the number of families bringing up children in private rented homes has more than doubled. Building "
            "has not kept pace with new households in the places where jobs are growing, and the shortfall is felt "
            "most by people on middle and low incomes."
        ),
        closing=(
            "The institute's housing team tracks rents, affordability and housebuilding in every region and "
            "publishes an updated dashboard each quarter."
        ),
        quotes=(
            "A secure, affordable home is the foundation for everything else: work, family life, health and "
            "children's education. Too many people are now building their lives on sand.",
            "This is not a problem the market will fix on its own. It needs councils that can build again and a "
            "planning system that says yes to good homes.",
        ),
        note=(
            "Affordability figures compare median private rents from official statistics with median take-home "
            "pay for households in each region."
        ),
        method=(
            "This report combines official rent and house price statistics with local authority housing returns "
            "and interviews with council housing directors in twelve areas."
        ),
    ),
    "health-care": TopicText(
        heading="Pressure on services",
        context=(
            "Demand for health and care is rising as the population ages and more people live with several "
            "long-term conditions at once. Yet spending has been concentrated in hospitals, while community "
            "services, public health and social care have been squeezed, storing up pressure that eventually "
            "arrives at the hospital door."
        ),
        closing=(
            "The institute's health and care programme brings together clinicians, care providers and people who "
            "use services to test its proposals before they are published."
        ),
        quotes=(
            "Every delayed discharge is a person stuck in the wrong place and a bed that someone else needs. "
            "Fixing social care is the fastest way to take pressure off the NHS.",
            "We keep paying for the consequences of neglect rather than investing in prevention. That is bad "
            "medicine and bad economics.",
        ),
        note=(
            "Workforce projections use published vacancy and turnover data together with the institute's own "
            "model of demand for care by age and condition."
        ),
        method=(
            "This report uses published workforce and activity data, a survey of 1,200 unpaid carers and the "
            "institute's model of demand for care by age and condition."
        ),
    ),
    "education-skills": TopicText(
        heading="Who gets a second chance",
        context=(
            "Four in ten adults in England have no qualification above GCSE level, and the jobs that are growing "
            "fastest increasingly ask for more. Yet the system that once gave adults a second chance, through "
            "evening classes, day release and local colleges, has been shrinking for more than a decade."
        ),
        closing=(
            "The institute is holding roundtables with employers, colleges and learners in five regions over the "
            "coming year and will publish what it hears."
        ),
        quotes=(
            "Talent is spread evenly across the country; opportunity is not. A serious skills policy would start "
            "with the people the system has left behind.",
            "Learning should not stop at eighteen or twenty-one. The economy is changing too fast for that, and so "
            "are people's lives.",
        ),
        note=(
            "Participation figures come from the institute's annual learning survey of 5,000 adults and from "
            "published further education statistics."
        ),
        method=(
            "This report draws on the institute's annual learning survey of 5,000 adults, published further "
            "education statistics and case studies of six colleges."
        ),
    ),
    "work-welfare": TopicText(
        heading="Life on a low income",
        context=(
            "Millions of working households now rely on Universal Credit to top up low or irregular pay, and many "
            "move in and out of work several times a year. The institute's research with claimants shows how small "
            "changes in the rules can make the difference between getting by and falling into debt."
        ),
        closing=(
            "The institute's inquiry panel, which includes employers, trade unionists and people with direct "
            "experience of the benefits system, will report its recommendations next year."
        ),
        quotes=(
            "Work should be a reliable route out of poverty, and the safety net should catch people rather than "
            "trip them up. Right now too many families find that neither is true.",
            "People tell us they want to work more and to plan ahead. The system should make that easier, not harder.",
        ),
        note=(
            "Claimant experiences are drawn from the institute's panel of 1,500 Universal Credit households, "
            "interviewed every three months."
        ),
        method=(
            "This report draws on the institute's panel of 1,500 Universal Credit households, interviewed every "
            "three months, and on official labour market statistics."
        ),
    ),
}


@dataclass(frozen=True)
class DemoItem:
    """One item in the demo press centre; `details` holds the fields of its own type."""

    kind: type[NewsItemPage]
    slug: str
    title: str
    days_ago: int
    topic: str
    people: tuple[str, ...]
    opening: str
    details: dict = field(default_factory=dict)
    hour: int = 9
    minute: int = 30


def _release(slug, title, days_ago, topic, people, *, subheadline, lead, opening, **extra) -> DemoItem:
    details = {"subheadline": subheadline, "lead": lead, **extra}
    return DemoItem(PressReleasePage, slug, title, days_ago, topic, people, opening, details, hour=7, minute=0)


def _article(slug, title, days_ago, topic, people, *, opening, outlet="", **extra) -> DemoItem:
    return DemoItem(ArticlePage, slug, title, days_ago, topic, people, opening, {"outlet": outlet, **extra}, hour=12)


def _report(slug, title, days_ago, topic, people, *, report_title, summary, findings, opening, pdf=False) -> DemoItem:
    details = {"report_title": report_title, "summary": summary, "findings": findings, "pdf": pdf}
    return DemoItem(ReportPage, slug, title, days_ago, topic, people, opening, details, hour=0, minute=1)


def _appearance(slug, title, days_ago, topic, people, *, outlet, programme, opening, **extra) -> DemoItem:
    details = {"outlet": outlet, "programme": programme, **extra}
    return DemoItem(MediaAppearancePage, slug, title, days_ago, topic, people, opening, details, hour=11)


PRESS_RELEASES = (
    _release(
        "energy-bills-fairer-way-to-share-cost-of-net-zero",
        "Energy bills: a fairer way to share the cost of net zero",
        1,
        "energy-climate",
        ("tom-pryce",),
        subheadline="Moving policy levies from electricity bills to general taxation would cut a typical bill by "
        "£150 a year",
        lead="Households could save around £150 a year on electricity if the levies that pay for past "
        "clean-energy schemes were funded from general taxation, according to analysis published today by the "
        "Ashcombe Institute.",
        opening="The levies added to electricity bills were designed when few homes relied on electricity for "
        "heat. Today they fall hardest on the families the government wants to switch to heat pumps and electric "
        "cars, and on low-income households who spend the largest share of their budgets on power. Funding them "
        "through taxation would be fairer and would strengthen the case for switching.",
        embargoed=True,
    ),
    _release(
        "private-renters-spend-a-third-of-income-on-rent",
        "Private renters in England spend a third of their income on rent, new figures show",
        17,
        "housing",
        ("priya-raman",),
        subheadline="Institute calls for a national register of landlords and a cap on rent rises within a tenancy",
        lead="One in four private renters in England now spends more than a third of their take-home pay on "
        "rent, up from one in six a decade ago, according to figures published today by the Ashcombe Institute.",
        opening="The figures, drawn from the institute's analysis of official household surveys, show that the "
        "squeeze is sharpest for renters in their thirties and for families with children, many of whom would "
        "once have expected to buy a home by now. Rents have risen faster than wages in every region outside the "
        "North East since 2021.",
    ),
    _release(
        "spending-review-must-protect-capital-investment",
        "Spending review must protect capital investment, says Chief Economist",
        35,
        "economy",
        ("owen-maddox",),
        subheadline="Cuts to public investment would cost more in lost growth than they save, institute warns",
        lead="Ministers should resist balancing the books by cutting capital spending in the forthcoming "
        "spending review, the Ashcombe Institute's Chief Economist Owen Maddox said today.",
        opening="Past spending reviews have protected day-to-day budgets by quietly trimming investment in "
        "roads, schools, hospitals and flood defences. The institute estimates that each pound of public "
        "investment cut during the last decade reduced output by more than a pound within five years, leaving the "
        "public finances weaker rather than stronger.",
    ),
    _release(
        "social-care-workforce-short-of-130000-staff",
        "Social care workforce short of 130,000 staff by 2030 without action on pay",
        52,
        "health-care",
        ("alan-whitcombe",),
        subheadline="Institute proposes a sector-wide pay floor set above the National Living Wage",
        lead="England's adult social care sector will be 130,000 care workers short by the end of the decade "
        "unless pay rises faster than in the wider economy, the Ashcombe Institute warns in a briefing published "
        "today.",
        opening="Care workers earn on average less than supermarket staff and healthcare assistants in the NHS, "
        "and one in four leaves their job each year. The briefing models the cost of a sector-wide pay floor and "
        "finds that it would largely pay for itself through lower agency spending, fewer delayed hospital "
        "discharges and reduced recruitment costs.",
    ),
    _release(
        "adult-learning-has-fallen-by-a-third",
        "Adult learning has fallen by a third in ten years, institute finds",
        68,
        "education-skills",
        ("jess-lindqvist",),
        subheadline="People with the fewest qualifications are the least likely to be trained at work",
        lead="The number of adults taking part in learning has fallen by a third in ten years, with the steepest "
        "falls among people without qualifications, according to analysis published today by the Ashcombe "
        "Institute.",
        opening="Employers spend less per worker on training than they did in 2011, and public funding for adult "
        "education outside apprenticeships has been cut by almost half in real terms. The result is a widening "
        "gap between people who already have degrees, who go on receiving training, and those who would benefit "
        "most from it.",
    ),
    _release(
        "universal-credit-deductions-below-destitution-line",
        "Universal Credit deductions leave 1.2 million households short of the basics",
        90,
        "work-welfare",
        ("miriam-okafor",),
        subheadline="Institute calls for a lower cap on repayments of advances and historic debts",
        lead="Around 1.2 million households on Universal Credit have money deducted from their payments each "
        "month to repay debts to government, leaving many unable to meet basic needs, the Ashcombe Institute said "
        "today.",
        opening="Deductions are taken automatically for advance payments, overpayments and arrears on rent, "
        "council tax and utilities. The institute's survey of claimants finds that those facing the largest "
        "deductions are the most likely to have skipped meals or fallen behind on other bills, and that many did "
        "not know they could ask for repayments to be reduced.",
        embargoed=True,
    ),
    _release(
        "productivity-gap-widest-in-a-generation",
        "Productivity gap between London and the regions is the widest in a generation",
        118,
        "economy",
        ("owen-maddox", "miriam-okafor"),
        subheadline="Institute urges multi-year funding settlements for combined authorities",
        lead="Output per hour in London is now almost 50 per cent higher than the average for the rest of the "
        "UK, the widest gap since comparable records began, according to new analysis from the Ashcombe "
        "Institute.",
        opening="Cities such as Manchester, Leeds and Bristol have closed part of the gap in recent years, but "
        "towns and rural areas have fallen further behind. The institute argues that short, competitive funding "
        "pots make it impossible for local leaders to plan, and that longer settlements with fewer strings would "
        "deliver more growth for the same money.",
    ),
    _release(
        "insulation-programme-three-million-homes",
        "Insulation programme could take three million homes out of fuel poverty",
        140,
        "energy-climate",
        ("tom-pryce",),
        subheadline="A ten-year plan would cost less than a single winter of emergency bill support",
        lead="A ten-year programme to insulate the country's leakiest homes would lift three million households "
        "out of fuel poverty and cost less than one winter of emergency help with bills, the Ashcombe Institute "
        "said today.",
        opening="Britain's homes are among the least energy efficient in Europe, and the support schemes of "
        "recent years have started and stopped so often that installers have left the industry. The institute "
        "proposes a steady programme, run through councils and targeted street by street, with grants for low "
        "income households and cheap loans for everyone else.",
    ),
    _release(
        "councils-should-borrow-to-build-social-homes",
        "Councils should be allowed to borrow to build 90,000 social homes a year, institute says",
        171,
        "housing",
        ("priya-raman", "owen-maddox"),
        subheadline="Rents from new homes would repay the borrowing within thirty years",
        lead="Councils in England should be given the freedom and long-term funding to build 90,000 homes for "
        "social rent each year, the Ashcombe Institute said today, as figures showed new social housebuilding at "
        "its lowest level for a decade.",
        opening="Fewer than 10,000 homes for social rent were completed last year, while more than a million "
        "households sat on council waiting lists and spending on temporary accommodation reached record levels. "
        "The institute's modelling shows that a sustained building programme would pay for itself over thirty "
        "years through rents and lower housing benefit costs.",
    ),
    _release(
        "statutory-sick-pay-reform-would-help-a-million-workers",
        "Statutory sick pay reform would help a million workers, research finds",
        205,
        "work-welfare",
        ("miriam-okafor",),
        subheadline="Low earners and people with more than one job miss out under the current rules",
        lead="More than a million low-paid workers would become entitled to sick pay for the first time if the "
        "earnings threshold were removed, according to research published today by the Ashcombe Institute.",
        opening="Statutory sick pay is among the lowest in Europe and is not paid at all for the first three days "
        "of illness or to people earning below the lower earnings limit. The research finds that many low-paid "
        "workers go to work ill because they cannot afford not to, spreading illness and prolonging their own "
        "recovery.",
    ),
    _release(
        "community-diagnostic-centres-need-more-staff",
        "Waiting lists: community diagnostic centres are working but need more staff",
        240,
        "health-care",
        ("alan-whitcombe",),
        subheadline="Centres have carried out millions of extra scans, but one in five sits idle each evening",
        lead="Community diagnostic centres have cut waits for scans and tests in the areas that have them, but a "
        "shortage of radiographers means many close early, the Ashcombe Institute finds in a review published "
        "today.",
        opening="The centres were set up to move routine tests out of busy hospitals and closer to patients. The "
        "review of published activity data finds that areas with a centre saw waits for diagnostic tests fall "
        "faster than elsewhere, but that staffing gaps mean expensive equipment is often unused at evenings and "
        "weekends.",
    ),
    _release(
        "free-school-meals-for-all-families-on-universal-credit",
        "Free school meals for all families on Universal Credit would reach 900,000 more children",
        268,
        "education-skills",
        ("jess-lindqvist", "miriam-okafor"),
        subheadline="Institute says the current earnings limit leaves working families worse off",
        lead="Extending free school meals to every child in a family receiving Universal Credit would reach "
        "around 900,000 more children in England, the Ashcombe Institute said today.",
        opening="At present a family loses free school meals once its earnings pass a low annual limit, which "
        "means that a small pay rise can leave parents worse off. The institute's analysis finds that most of the "
        "children who miss out live in working households, and that the cost of extending the scheme is modest "
        "compared with its benefits for attendance and attainment.",
    ),
    _release(
        "real-incomes-yet-to-recover",
        "Households' real incomes yet to recover to pre-pandemic levels, institute analysis shows",
        310,
        "economy",
        ("owen-maddox",),
        subheadline="Typical household income remains around £600 a year below its 2019 level after inflation",
        lead="The typical household's income is still lower in real terms than it was before the pandemic, "
        "according to analysis published today by the Ashcombe Institute.",
        opening="Wages have grown strongly in cash terms, but higher prices, frozen tax thresholds and rising "
        "housing costs have eaten away at the gains. The analysis finds that renters and families with children "
        "have fared worst, while older homeowners with paid-off mortgages have largely been protected from the "
        "squeeze.",
    ),
    _release(
        "grid-connection-queue-holding-back-investment",
        "Grid connection queue is holding back £100 billion of clean energy investment",
        360,
        "energy-climate",
        ("tom-pryce",),
        subheadline="Some solar and battery projects have been offered connection dates in the late 2030s",
        lead="More than £100 billion of investment in wind, solar and battery storage is stuck in the queue for "
        "a connection to the electricity grid, the Ashcombe Institute said today.",
        opening="Developers who apply to connect a new project are placed in a queue that is processed in the "
        "order applications arrived, regardless of whether a project is ready to build. The institute proposes "
        "that projects should have to show planning permission and land rights to keep their place, freeing "
        "capacity for schemes that can start now.",
    ),
    _release(
        "leasehold-reform-welcome-but-gaps-remain",
        "Leasehold reform: institute welcomes ban on new leasehold houses but warns of gaps",
        430,
        "housing",
        ("priya-raman",),
        subheadline="Flat owners still face rising service charges with little say over how they are set",
        lead="The Ashcombe Institute today welcomed plans to end the sale of new leasehold houses, but warned "
        "that millions of existing flat owners would still face unpredictable service charges.",
        opening="Leasehold has left many homeowners paying ground rents that rise without limit and service "
        "charges they cannot challenge. The institute's research with leaseholders finds that the charges cause "
        "the most distress, and it calls for clear caps on management fees and a simple route to take over the "
        "management of a building.",
    ),
    _release(
        "inquiry-into-low-pay-and-insecure-work",
        "Institute launches two-year inquiry into low pay and insecure work",
        520,
        "work-welfare",
        ("miriam-okafor",),
        subheadline="Panel of employers, trade unionists and workers will take evidence across the country",
        lead="The Ashcombe Institute today launched a two-year inquiry into low pay and insecure work, chaired "
        "by its Director, Dr Miriam Okafor.",
        opening="The inquiry will examine why so many jobs offer unpredictable hours and little chance of "
        "progression, and what employers, government and workers themselves can do about it. It will hold public "
        "evidence sessions in eight towns and cities and publish interim findings after its first year, followed "
        "by a final report with recommendations.",
    ),
)

# Released under embargo a couple of days after loading, so the demo always has one the public cannot see yet.
UPCOMING_EMBARGOED_RELEASE = _release(
    "living-standards-audit-households-worse-off-than-forecast",
    "Living standards audit: typical household £1,100 a year worse off than forecast",
    -2,
    "economy",
    ("miriam-okafor", "owen-maddox"),
    subheadline="Annual audit finds incomes have fallen behind the official forecast for a third year running",
    lead="The typical working-age household is £1,100 a year worse off than official forecasts predicted, "
    "according to the Ashcombe Institute's annual living standards audit, published today.",
    opening="The audit compares what households were told to expect with what has happened to their incomes, "
    "prices and housing costs. For the third year running, incomes have fallen short of the forecast, with the "
    "gap largest for renters and for families with young children who rely on both wages and Universal Credit.",
    embargoed=True,
)

ARTICLES = (
    _article(
        "fiscal-rules-need-a-rethink",
        "Why the fiscal rules need a rethink before the next budget",
        6,
        "economy",
        ("owen-maddox",),
        outlet="The Northern Ledger",
        opening="Every chancellor of the past twenty years has written new fiscal rules, and every one has "
        "bent or broken them. That is not because they lacked discipline but because the rules were designed "
        "around a single number in a single year, five years out, which tells us very little about whether the "
        "public finances are actually sustainable.",
    ),
    _article(
        "heat-pumps-are-ready-planning-is-not",
        "Heat pumps are ready. Our planning system is not",
        24,
        "energy-climate",
        ("tom-pryce",),
        outlet="Civic Review",
        excerpt_only=True,
        opening="Installing a heat pump in a terraced house should be as simple as fitting a new boiler. Instead, "
        "households in many areas still face rules on noise and siting written for a different era, and "
        "conservation areas can add months of delay. A handful of sensible changes would remove most of the "
        "obstacles without weakening protection for neighbours.",
    ),
    _article(
        "what-renters-want-from-the-next-government",
        "What renters really want from the next government",
        45,
        "housing",
        ("priya-raman",),
        opening="When we asked a thousand private renters what would make the biggest difference to their lives, "
        "lower rents came second. First was security: knowing that they will not be asked to leave at two "
        "months' notice, that a complaint about damp will not lead to an eviction, and that they can plan for "
        "their children's schooling.",
    ),
    _article(
        "prevention-is-the-cheapest-medicine",
        "Prevention is the cheapest medicine the NHS is not buying",
        77,
        "health-care",
        ("alan-whitcombe",),
        outlet="The Weekly Brief",
        opening="For every pound spent on public health, the return in avoided treatment and lost working days "
        "is several times larger. Yet public health grants to councils have fallen by a quarter in real terms "
        "since 2015, even as waiting lists for hospital treatment reached record lengths. We are cutting the "
        "one budget that reliably saves money later.",
    ),
    _article(
        "apprenticeships-have-drifted-from-young-people",
        "Apprenticeships have drifted away from the young people who need them",
        103,
        "education-skills",
        ("jess-lindqvist",),
        outlet="Policy Quarterly",
        comments_open=False,
        opening="Apprenticeships were meant to be the great alternative to university for school leavers. Since "
        "the levy was introduced, however, the number starting at sixteen or seventeen has fallen sharply, while "
        "management courses for existing staff, many of them graduates, have flourished. The money is following "
        "the employers rather than the learners.",
    ),
    _article(
        "four-day-week-trial-in-the-public-sector",
        "The four-day week deserves a proper trial in the public sector",
        130,
        "work-welfare",
        ("miriam-okafor",),
        outlet="The Evening Courier",
        opening="Private firms that have tried a four-day week report lower sickness, easier recruitment and, "
        "in many cases, no loss of output. The public sector faces some of the worst recruitment problems in the "
        "economy, yet it has barely experimented. A carefully evaluated trial in a few councils and agencies "
        "would tell us far more than another round of opinion pieces.",
    ),
    _article(
        "inflation-falling-cost-of-living-crisis-not-over",
        "Inflation is falling, but the cost of living crisis is not over",
        160,
        "economy",
        ("miriam-okafor",),
        opening="Falling inflation means that prices are rising more slowly, not that they are falling. For the "
        "families we talk to every quarter, the food, energy and rent bills they face are still far higher than "
        "three years ago, and their savings have gone. Recovery will be measured in years, and policy should be "
        "planned on that basis.",
    ),
    _article(
        "community-energy-could-power-a-million-homes",
        "Community energy schemes could power a million homes",
        222,
        "energy-climate",
        ("tom-pryce",),
        outlet="The Northern Ledger",
        excerpt_only=True,
        opening="Across the country, village halls, schools and housing co-operatives have put solar panels on "
        "their roofs and wind turbines on nearby hills, keeping the profits in the community. These schemes "
        "remain tiny because they struggle to sell their power locally. A simple right to supply neighbours "
        "would let them grow to power a million homes.",
    ),
    _article(
        "stamp-duty-is-the-worst-tax-we-have",
        "Stamp duty is the worst tax we have. Here is how to replace it",
        290,
        "housing",
        ("owen-maddox",),
        outlet="Civic Review",
        opening="Stamp duty discourages older people from moving to smaller homes, stops workers moving to "
        "where the jobs are and raises wildly different sums from year to year. Almost every economist agrees "
        "it should go. The difficulty is replacing the revenue, and a proportional property tax paid by owners "
        "rather than buyers would do that fairly.",
    ),
    _article(
        "lessons-from-scotland-on-free-personal-care",
        "Lessons from Scotland on free personal care",
        375,
        "health-care",
        ("alan-whitcombe",),
        outlet="The Weekly Brief",
        comments_open=False,
        opening="Scotland has provided free personal care to older people for more than two decades. It has not "
        "bankrupted the Scottish government, and it has not solved every problem in care. What it has done is "
        "remove the fear of losing a home to pay for help with washing and dressing, and that is a lesson worth "
        "learning south of the border.",
    ),
    _article(
        "further-education-colleges-forgotten-engine-of-growth",
        "Further education colleges are the forgotten engine of growth",
        455,
        "education-skills",
        ("jess-lindqvist",),
        opening="Colleges train nurses, electricians, engineers and care workers, and they give adults a route "
        "back into learning. Yet funding per student has fallen further than in any other part of education, and "
        "lecturers earn thousands less than school teachers. If we want growth in every region, colleges are "
        "where the investment should begin.",
    ),
    _article(
        "minimum-income-guarantee-is-closer-than-it-looks",
        "A minimum income guarantee is closer than it looks",
        560,
        "work-welfare",
        ("miriam-okafor",),
        outlet="Policy Quarterly",
        opening="A guarantee that no one's income falls below a decent floor sounds utopian. In fact the building "
        "blocks already exist in the benefits system: a single payment, real-time earnings data and a standard "
        "allowance. What is missing is a floor set at a level that covers the essentials, and a commitment to "
        "keep it there.",
    ),
)

REPORTS = (
    _report(
        "ten-year-plan-to-end-cold-homes",
        "New report sets out a ten-year plan to end cold homes",
        10,
        "energy-climate",
        ("tom-pryce",),
        report_title="Warm Homes, Lower Bills: a ten-year plan for home energy efficiency",
        summary="A street-by-street programme of insulation and heat pumps, led by councils, could upgrade nine "
        "million homes by 2035 and cut the average bill in those homes by £420 a year.",
        findings=(
            "Nine million homes could reach a good standard of energy efficiency by 2035 with a steady programme.",
            "Households in upgraded homes would save an average of £420 a year at current prices.",
            "The programme would support around 80,000 installation jobs, most of them outside London.",
            "Public cost would average £3.5 billion a year, less than a single winter of emergency bill support.",
        ),
        opening="Today the institute publishes its most detailed plan yet for bringing the country's homes up to "
        "a decent standard of energy efficiency. Drawing on records for three million homes, it shows how "
        "councils could lead a programme that works street by street, giving installers a steady pipeline of "
        "work and households the confidence to take part.",
        pdf=True,
    ),
    _report(
        "funding-model-for-social-housing",
        "Building the homes we need: a funding model for social housing",
        58,
        "housing",
        ("priya-raman", "owen-maddox"),
        report_title="Foundations: financing a new generation of social homes",
        summary="A dedicated, thirty-year funding settlement for council and housing association building would "
        "deliver 90,000 social homes a year and repay most of its cost through rents and lower benefit spending.",
        findings=(
            "Completions of homes for social rent have fallen by more than 80 per cent since the early 1990s.",
            "Spending on temporary accommodation has doubled in five years and now exceeds £2 billion a year.",
            "A thirty-year settlement would let councils borrow at lower cost and plan large sites.",
            "Over thirty years, rents and savings on housing benefit would repay most of the public investment.",
        ),
        opening="The institute's new report asks a simple question: how could the country pay for a lasting "
        "increase in social housebuilding? The answer it gives is a long-term funding settlement that lets "
        "councils and housing associations borrow against future rents, rather than bidding for short-term "
        "grants that change with every spending review.",
        pdf=True,
    ),
    _report(
        "hidden-cost-of-unpaid-care",
        "Report: the hidden cost of unpaid care",
        125,
        "health-care",
        ("alan-whitcombe",),
        report_title="Counting the Carers: the economic value of unpaid care in England",
        summary="Unpaid carers provide care worth more than the entire budget of adult social care, and many "
        "give up paid work to do so.",
        findings=(
            "Around five million people in England provide unpaid care to a relative or friend.",
            "The care they provide would cost more than the whole adult social care budget to replace.",
            "One in five carers has given up work or cut their hours to provide care.",
        ),
        opening="Behind every stretched care service stands a much larger army of unpaid carers: partners, "
        "children, parents and neighbours. The institute's new report puts a value on their work for the first "
        "time using its own survey of 1,200 carers, and sets out what employers and government could do to stop "
        "so many being forced out of paid work.",
    ),
    _report(
        "living-standards-outlook-incomes-to-stagnate",
        "Living standards outlook: incomes to stagnate until 2027",
        190,
        "economy",
        ("owen-maddox",),
        report_title="Living Standards Outlook",
        summary="The typical household's real income is set to grow by less than half a per cent a year over "
        "the next three years, with renters and young families falling furthest behind.",
        findings=(
            "Typical real household income is projected to grow by less than 0.5 per cent a year until 2027.",
            "Frozen tax thresholds will take an extra two million people into the higher rate of income tax.",
            "Renters face the weakest outlook, with housing costs rising faster than incomes.",
        ),
        opening="The institute's annual outlook projects household incomes across the distribution over the "
        "next three years. This year's edition finds that the slow recovery from the cost of living crisis will "
        "continue, with modest wage growth offset by frozen tax thresholds and rising housing costs for those who "
        "rent or need to remortgage.",
        pdf=True,
    ),
    _report(
        "lifelong-learning-account-for-every-adult",
        "Report calls for a lifelong learning account for every adult",
        250,
        "education-skills",
        ("jess-lindqvist",),
        report_title="Learning for Life: the case for personal learning accounts",
        summary="Every adult should have a personal learning account, topped up by government and employers, "
        "to spend on approved courses at any point in their working life.",
        findings=(
            "Adults without qualifications are three times less likely to take part in learning than graduates.",
            "Most adults who want to learn cite cost and time as the main barriers.",
            "An account worth £3,000 over ten years would cost around £1.5 billion a year.",
        ),
        opening="The institute's report on adult learning argues that the current system, which funds courses "
        "through a patchwork of schemes with different rules, is too complicated for the people who most need it. "
        "It proposes a single personal account for every adult, with extra money for those who left school with "
        "few qualifications.",
    ),
    _report(
        "insecure-work-one-in-nine-lack-predictable-hours",
        "Insecure work report: one in nine workers lack predictable hours",
        335,
        "work-welfare",
        ("miriam-okafor", "jess-lindqvist"),
        report_title="Hours Unknown: insecure work in modern Britain",
        summary="One in nine workers does not know how many hours they will work from one week to the next, "
        "with knock-on effects on income, childcare and Universal Credit payments.",
        findings=(
            "One in nine workers has hours that vary from week to week with little notice.",
            "Workers with unpredictable hours are twice as likely to fall behind on household bills.",
            "Irregular pay causes frequent swings in Universal Credit awards, making budgeting harder.",
            "A right to a contract reflecting hours normally worked would benefit around 1.5 million people.",
        ),
        opening="The institute's interim report for its inquiry into low pay and insecure work draws on evidence "
        "from eight towns and cities and a survey of 3,000 workers. It finds that unpredictable hours, rather "
        "than low hourly pay alone, are the biggest source of financial stress for many of the people the inquiry "
        "heard from.",
    ),
    _report(
        "local-authorities-hold-the-key-to-net-zero",
        "Report: local authorities hold the key to net zero",
        410,
        "energy-climate",
        ("tom-pryce",),
        report_title="Net Zero Starts at Home: the role of councils in the transition",
        summary="Councils influence around a third of local emissions through planning, housing, transport and "
        "waste, but lack the funding and powers to act at scale.",
        findings=(
            "Councils have influence over around a third of emissions in their areas.",
            "Most climate funding for councils comes through short competitive bids.",
            "Areas with a dedicated retrofit team upgraded homes three times faster than those without.",
        ),
        opening="National targets are set in Westminster, but much of the work of cutting emissions happens in "
        "town halls. The institute's report looks at how twelve councils have approached the task and what has "
        "held them back, from short funding cycles to a shortage of planners and engineers who understand the "
        "new technologies.",
    ),
    _report(
        "tax-system-fit-for-the-2030s",
        "Report: a tax system fit for the 2030s",
        590,
        "economy",
        ("owen-maddox", "miriam-okafor"),
        report_title="Fairer, Simpler, Greener: principles for tax reform",
        summary="The tax system will need to raise more from wealth and from polluting activities as an ageing "
        "population and the move away from fossil fuels erode today's revenue base.",
        findings=(
            "Fuel duty, which raises over £20 billion a year, will shrink as drivers switch to electric cars.",
            "Income from wealth is taxed at lower rates than income from work.",
            "Council tax is still based on property values from 1991 in England.",
        ),
        opening="The institute's tax reform report sets out principles that any government could use to judge "
        "changes to the tax system over the next decade. It argues that the present system taxes work more "
        "heavily than wealth, relies on revenues that the move to net zero will erode, and is too complicated for "
        "most people to understand.",
    ),
)

APPEARANCES = (
    _appearance(
        "owen-maddox-on-the-budget-radio-meridian",
        "Owen Maddox on the Budget on Radio Meridian",
        4,
        "economy",
        ("owen-maddox",),
        outlet="Radio Meridian",
        programme="The Morning Briefing",
        recording_url="https://radio-meridian.example.com/morning-briefing/budget-reaction",
        audio=True,
        opening="Our Chief Economist joined The Morning Briefing the day after the Budget to explain what the "
        "announcements mean for household finances. He argued that the changes to tax thresholds would take more "
        "from middle earners than the headline measures gave back, and that the plans for public investment were "
        "too thin to lift growth.",
        transcript="<p><b>Presenter:</b> Is this a Budget for working families?</p>"
        "<p><b>Owen Maddox:</b> Some families will notice the changes to childcare support, and that is welcome. "
        "But the freeze on tax thresholds is doing far more work, quietly, and it falls on people earning fairly "
        "ordinary salaries.</p>",
    ),
    _appearance(
        "priya-raman-rising-rents-channel-six",
        "Priya Raman discusses rising rents on Channel Six News",
        29,
        "housing",
        ("priya-raman",),
        outlet="Channel Six",
        programme="Evening News",
        opening="Priya Raman, our Head of Housing Research, spoke to Channel Six's Evening News about the latest "
        "rent figures and what they mean for families in private rented homes. She explained why rents have "
        "risen fastest outside London and set out the case for limiting rent increases within a tenancy.",
    ),
    _appearance(
        "tom-pryce-westminster-weekly-can-the-grid-cope",
        "Tom Pryce on Westminster Weekly: can the grid cope?",
        62,
        "energy-climate",
        ("tom-pryce",),
        outlet="Westminster Weekly",
        programme="",
        audio=True,
        opening="In this episode of the Westminster Weekly podcast, Tom Pryce discusses whether the electricity "
        "grid can cope as millions of homes switch to heat pumps and electric cars. He explains why the queue for "
        "new connections has grown so long and what could be done to speed up the building of new power lines.",
    ),
    _appearance(
        "miriam-okafor-albion-talk-future-of-universal-credit",
        "Miriam Okafor on Albion Talk Drive: the future of Universal Credit",
        110,
        "work-welfare",
        ("miriam-okafor",),
        outlet="Albion Talk",
        programme="Drive",
        opening="Our Director joined the Drive programme on Albion Talk to discuss the future of Universal Credit "
        "after a decade of reforms. She took calls from listeners about deductions, the five-week wait and the "
        "difficulty of budgeting when monthly payments change with every payslip.",
    ),
    _appearance(
        "alan-whitcombe-northern-sound-social-care-funding",
        "Alan Whitcombe on Northern Sound Breakfast: paying for social care",
        180,
        "health-care",
        ("alan-whitcombe",),
        outlet="Northern Sound",
        programme="Breakfast",
        opening="Professor Alan Whitcombe spoke to Northern Sound's Breakfast programme about how social care "
        "should be paid for. He compared the options of a social insurance scheme, a cap on lifetime costs and "
        "free personal care, and explained why the workforce crisis needs tackling whichever option is chosen.",
    ),
    _appearance(
        "jess-lindqvist-learning-curve-adult-skills",
        "Jess Lindqvist on The Learning Curve podcast: adult skills",
        300,
        "education-skills",
        ("jess-lindqvist",),
        outlet="The Learning Curve",
        programme="",
        opening="Jess Lindqvist joined The Learning Curve, a podcast about education policy, to talk about why so "
        "few adults return to learning and what colleges and employers could do differently. She drew on the "
        "institute's survey of adult learners and her own years teaching in a sixth-form college.",
    ),
    _appearance(
        "miriam-okafor-question-hour-panel",
        "Miriam Okafor joins the panel on Channel Six's Question Hour",
        395,
        "economy",
        ("miriam-okafor",),
        outlet="Channel Six",
        programme="Question Hour",
        opening="Dr Miriam Okafor was a panellist on Channel Six's Question Hour, answering questions from a "
        "studio audience on the cost of living, public services and the state of the economy. She argued that "
        "the recovery had yet to reach the households hit hardest by rising prices.",
    ),
    _appearance(
        "owen-maddox-radio-meridian-house-prices",
        "Owen Maddox on Radio Meridian: what next for house prices?",
        480,
        "housing",
        ("owen-maddox",),
        outlet="Radio Meridian",
        programme="Money Matters",
        opening="Owen Maddox joined Money Matters on Radio Meridian to discuss the outlook for house prices and "
        "mortgage rates. He explained why prices had held up better than many expected and what higher rates mean "
        "for first-time buyers and for people coming to the end of fixed-rate deals.",
    ),
)

DEMO_ITEMS = (*PRESS_RELEASES, UPCOMING_EMBARGOED_RELEASE, *ARTICLES, *REPORTS, *APPEARANCES)

OUTLET_DOMAINS = {
    "The Northern Ledger": "northern-ledger.example.com",
    "Civic Review": "civic-review.example.com",
    "The Weekly Brief": "weekly-brief.example.com",
    "Policy Quarterly": "policy-quarterly.example.com",
    "The Evening Courier": "evening-courier.example.com",
}


@dataclass
class LoadSummary:
    """What one run of the loader created and what it found already present, by kind of object."""

    created: dict[str, int] = field(default_factory=dict)
    present: dict[str, int] = field(default_factory=dict)
    site_url: str = ""
    admin_username: str = ""
    admin_password: str | None = None  # None when the user already existed and its password was left alone

    def record(self, kind: str, *, created: bool) -> None:
        self.created.setdefault(kind, 0)
        self.present.setdefault(kind, 0)
        (self.created if created else self.present)[kind] += 1


@transaction.atomic
def load_demo_data(*, at: datetime, admin_username: str, admin_password: str) -> LoadSummary:
    """Create the demo think tank's press centre, content, documents and a local superuser.

    Makes the press centre the default site's root, deletes Wagtail's initial welcome page and fills site
    settings left at their defaults. Safe to run repeatedly: anything already present (looked up by slug, email,
    name or username) is kept as it is, so a second run creates nothing and changes no counts. Item dates are
    counted back from `at`.
    """
    summary = LoadSummary(admin_username=admin_username)
    categories = ensure_categories(summary)
    people = ensure_people(categories, summary)
    contacts = ensure_press_contacts(summary, categories)
    boilerplate = ensure_boilerplate(summary)
    index = ensure_press_centre(summary)
    summary.site_url = public_base_url()  # where `make demo` serves it, not the Site record's localhost:80
    ensure_site_settings(index, boilerplate=boilerplate, contacts=contacts)
    for item in DEMO_ITEMS:
        ensure_item(index, item, at=at, categories=categories, people=people, summary=summary)
    summary.admin_password = ensure_admin(admin_username, admin_password, summary)
    return summary


def move_demo_embargo(*, at: datetime, seconds: int) -> PressReleasePage | None:
    """Move the demo's upcoming embargoed release to lift `seconds` after `at`, so a lift can be watched.

    Publishes the change as an editor would, which queues the lift task for the new instant. A release lifted
    already (by an earlier run) is embargoed again, so the lift can be watched as often as the command is run.
    Returns None (and changes nothing) only when the demo's release is missing.
    """
    release = PressReleasePage.objects.filter(slug=UPCOMING_EMBARGOED_RELEASE.slug).first()
    if release is None:
        return None
    lifts_at = (at + timedelta(seconds=seconds)).replace(microsecond=0)
    if release.embargo_lifted_at is not None:
        # A demo rehearsal, not an editor's move: the lift record goes, so the next lift runs (and emails) again.
        PressReleasePage.objects.filter(pk=release.pk).update(embargo_lifted_at=None)
        release.embargo_lifted_at = None
    release.embargo_until = lifts_at
    release.published_at = lifts_at
    release.save_revision(clean=False).publish()
    return release


def ensure_categories(summary: LoadSummary) -> dict[str, Category]:
    """The six demo categories by slug, creating any that are missing."""
    found = {}
    for demo in CATEGORIES:
        category, created = Category.objects.get_or_create(
            slug=demo.slug, defaults={"name": demo.name, "description": demo.description}
        )
        summary.record("categories", created=created)
        found[demo.slug] = category
    return found


def ensure_people(categories: dict[str, Category], summary: LoadSummary) -> dict[str, Person]:
    """The institute's six fellows and staff by slug, creating any that are missing."""
    found = {}
    for demo in PEOPLE:
        person = Person.objects.filter(slug=demo.slug).first()
        created = person is None
        if created:
            person = Person(
                slug=demo.slug,
                name=demo.name,
                role=demo.role,
                bio=f"<p>{demo.bio}</p>",
                available_for_comment=demo.available_for_comment,
            )
            person.topics = [categories[slug] for slug in demo.topics]
            person.save()
        summary.record("people", created=created)
        found[demo.slug] = person
    return found


def ensure_press_contacts(summary: LoadSummary, categories: dict[str, Category]) -> list[PressContact]:
    """The press office's contacts, looked up by email; returns the default ones (those with no topic)."""
    found = []
    for demo in PRESS_CONTACTS:
        contact, created = PressContact.objects.get_or_create(
            email=demo.email,
            defaults={
                "name": demo.name,
                "role": demo.role,
                "phone": demo.phone,
                "out_of_hours_phone": demo.out_of_hours_phone,
                "topic": categories.get(demo.topic),
            },
        )
        summary.record("press contacts", created=created)
        if not demo.topic:
            found.append(contact)
    return found


def ensure_boilerplate(summary: LoadSummary) -> Boilerplate:
    """The "About the institute" text, looked up by its editor-facing name."""
    boilerplate, created = Boilerplate.objects.get_or_create(name=BOILERPLATE_NAME, defaults={"text": BOILERPLATE_TEXT})
    summary.record("boilerplates", created=created)
    return boilerplate


def ensure_press_centre(summary: LoadSummary) -> PressCentrePage:
    """The press centre index, published under the tree root and set as the default site's root page.

    Wagtail's initial welcome page is deleted once nothing uses it.
    """
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    index = None
    if site is not None and isinstance(site.root_page.specific, PressCentrePage):
        index = site.root_page.specific
    if index is None:
        index = PressCentrePage.objects.filter(slug=INDEX_SLUG).first()
    created = index is None
    if created:
        index = Page.get_first_root_node().add_child(
            instance=PressCentrePage(title="Press Centre", slug=INDEX_SLUG, intro=INDEX_INTRO)
        )
        index.save_revision().publish()
    summary.record("press centre pages", created=created)

    if site is None:
        site = Site(hostname="127.0.0.1", port=8000, is_default_site=True)
    elif site.hostname == "localhost" and site.port == 80:
        # Still Wagtail's placeholder: point full URLs (feeds, emails) at the local development server.
        site.hostname, site.port = "127.0.0.1", 8000
    site.root_page = index
    site.site_name = site.site_name or ORGANISATION_NAME
    site.save()
    _delete_welcome_page()
    Site.clear_site_root_paths_cache()
    return index


def _delete_welcome_page() -> None:
    plain_page = ContentType.objects.get_for_model(Page)
    for page in Page.objects.filter(depth=2, content_type=plain_page, title=WAGTAIL_WELCOME_TITLE):
        if page.is_leaf() and not Site.objects.filter(root_page=page).exists():
            page.delete()


def ensure_site_settings(index: PressCentrePage, *, boilerplate: Boilerplate, contacts: list[PressContact]) -> None:
    """Fill the default site's press centre settings, leaving alone anything an editor has already set."""
    site = Site.objects.get(root_page=index, is_default_site=True)
    site_settings = PressCentreSettings.for_site(site)
    default_name = PressCentreSettings._meta.get_field("organisation_name").default
    if site_settings.organisation_name in ("", default_name):
        site_settings.organisation_name = ORGANISATION_NAME
    if site_settings.default_boilerplate_id is None:
        site_settings.default_boilerplate = boilerplate
    if not site_settings.press_office_email:
        site_settings.press_office_email = "press@ashcombe.example.org"
    if not site_settings.default_contact_links.exists():
        site_settings.default_contact_links = [
            DefaultPressContact(contact=contact, sort_order=order) for order, contact in enumerate(contacts)
        ]
    site_settings.save()


def ensure_item(
    index: PressCentrePage,
    item: DemoItem,
    *,
    at: datetime,
    categories: dict[str, Category],
    people: dict[str, Person],
    summary: LoadSummary,
) -> None:
    """Publish one demo item under the index unless a child with its slug already exists."""
    kind = str(item.kind._meta.verbose_name_plural)
    if index.get_children().filter(slug=item.slug).exists():
        summary.record(kind, created=False)
        return
    published_at = publication_time(item, at=at)
    page = item.kind(
        title=item.title,
        slug=item.slug,
        published_at=published_at,
        body=item_body(item, people),
        category_links=[ItemCategory(category=categories[item.topic], sort_order=0)],
        person_links=[ItemPerson(person=people[slug], sort_order=order) for order, slug in enumerate(item.people)],
    )
    fill_type_fields(page, item, published_at=published_at, people=people, summary=summary)
    # Saved as a draft first, as the admin does: publishing then validates the page once, in full.
    page.live = False
    # Each save would queue its own reference-index update (about eight per item); one at the end is enough.
    with disable_reference_index_auto_update():
        index.add_child(instance=page)
        revision = page.save_revision(clean=False)
        revision.publish()
    ReferenceIndex.create_or_update_for_object(page)
    # Backdate Wagtail's own bookkeeping so the admin's history agrees with the item's publication date.
    shown_at = min(page.published_at, at)
    type(revision).objects.filter(pk=revision.pk).update(created_at=shown_at)
    Page.objects.filter(pk=page.pk).update(
        first_published_at=shown_at, last_published_at=shown_at, latest_revision_created_at=shown_at
    )
    if page.embargo_until is not None and page.embargo_until <= at:
        # History, not news: these embargoes lifted long ago, so the sweep must not report them as missed.
        NewsItemPage.objects.filter(pk=page.pk).update(embargo_lifted_at=page.embargo_until)
    summary.record(kind, created=True)


def publication_time(item: DemoItem, *, at: datetime) -> datetime:
    """The item's publication instant: `days_ago` London days before `at`, at the item's time of day."""
    day = timezone.localtime(at, LONDON).date() - timedelta(days=item.days_ago)
    return datetime.combine(day, time(item.hour, item.minute), tzinfo=LONDON)


def item_body(item: DemoItem, people: dict[str, Person]) -> list[dict]:
    """Raw StreamField data: the item's own opening, then its topic's shared paragraphs and quote.

    The layout and the quote vary with the item's date offset, so neighbouring items read differently.
    """
    topic = TOPICS[item.topic]
    variant = item.days_ago
    opening = _paragraph(item.opening)
    heading = {"type": "heading", "value": {"text": topic.heading, "level": "h2"}}
    context, closing = _paragraph(topic.context), _paragraph(topic.closing)
    if item.kind is ArticlePage:
        # Fellows write in their own voice: no attributed quotes.
        return [opening, heading, context, closing] if variant % 2 else [opening, context, closing]
    speaker = people[item.people[0]]
    quote = {
        "type": "quote",
        "value": {"quote": topic.quotes[variant % 2], "speaker": speaker.name, "speaker_role": speaker.role},
    }
    if variant % 3 == 0:
        return [opening, heading, context, quote, closing]
    if variant % 3 == 1:
        return [opening, quote, context, closing]
    return [opening, context, heading, closing]


def _paragraph(text: str) -> dict:
    return {"type": "paragraph", "value": f"<p>{text}</p>"}


def fill_type_fields(
    page: NewsItemPage, item: DemoItem, *, published_at: datetime, people: dict[str, Person], summary: LoadSummary
) -> None:
    """Set the fields only the item's own type has, generating its report PDF or recording if it has one."""
    details = item.details
    if isinstance(page, PressReleasePage):
        page.subheadline = details["subheadline"]
        page.dateline_place = "LONDON"
        page.lead = details["lead"]
        page.notes_to_editors = (
            f"<ol><li>{TOPICS[item.topic].note}</li>"
            "<li>Spokespeople are available for interview: please contact the press office using the details "
            "below.</li></ol>"
        )
        if details.get("embargoed"):
            page.embargo_until = published_at.replace(hour=0, minute=1)
            page.published_at = page.embargo_until
    elif isinstance(page, ArticlePage):
        outlet = details["outlet"]
        if outlet:
            page.original_outlet = outlet
            page.original_url = f"https://{OUTLET_DOMAINS[outlet]}/comment/{item.slug}"
            page.first_published_on = published_at.date() - timedelta(days=1)
        if details.get("excerpt_only"):
            page.rights = ArticlePage.Rights.EXCERPT
            page.canonical_policy = ArticlePage.CanonicalPolicy.ORIGINAL
        if "comments_open" in details:
            page.comments_open = details["comments_open"]
    elif isinstance(page, ReportPage):
        page.report_title = details["report_title"]
        page.key_findings = [{"type": "finding", "value": finding} for finding in details["findings"]]
        page.report_summary = f"<p>{details['summary']}</p><p>{TOPICS[item.topic].method}</p>"
        if details["pdf"]:
            document = ensure_report_pdf(item, published_at=published_at, people=people, summary=summary)
            page.document_links = [ReportDocument(document=document, sort_order=0)]
    elif isinstance(page, MediaAppearancePage):
        page.outlet = details["outlet"]
        page.programme = details["programme"]
        page.broadcast_at = published_at.replace(hour=7, minute=40)
        page.recording_url = details.get("recording_url", "")
        page.transcript = details.get("transcript", "")
        if details.get("audio"):
            page.recording = ensure_recording(item, summary=summary)


def ensure_report_pdf(
    item: DemoItem, *, published_at: datetime, people: dict[str, Person], summary: LoadSummary
) -> AbstractDocument:
    """The report's PDF as a Wagtail document, generated only if no document has its title yet."""
    title = item.details["report_title"]
    authors = ", ".join(people[slug].name for slug in item.people)
    return _ensure_document(
        title=title,
        filename=f"{item.slug}.pdf",
        build=lambda: build_report_pdf(
            report_title=title,
            organisation=ORGANISATION_NAME,
            authors=authors,
            published_on=published_at.date(),
            summary=[item.details["summary"], item.opening, TOPICS[item.topic].method],
            findings=item.details["findings"],
        ),
        summary=summary,
    )


def ensure_recording(item: DemoItem, *, summary: LoadSummary) -> AbstractDocument:
    """The appearance's audio as a Wagtail document, generated only if no document has its title yet."""
    return _ensure_document(
        title=f"Recording: {item.title}",
        filename=f"{item.slug}.wav",
        build=lambda: build_chime_wav(seed=len(item.slug)),
        summary=summary,
    )


def _ensure_document(
    *, title: str, filename: str, build: Callable[[], bytes], summary: LoadSummary
) -> AbstractDocument:
    document_model = get_document_model()
    document = document_model.objects.filter(title=title).first()
    if document is not None:
        summary.record("documents", created=False)
        return document
    data = build()
    document = document_model(title=title, file=ContentFile(data, name=filename))
    document.file_size = len(data)
    document.file_hash = hash_filelike(io.BytesIO(data))
    document.save()
    summary.record("documents", created=True)
    return document


def ensure_admin(username: str, password: str, summary: LoadSummary) -> str | None:
    """Create a local superuser unless one with `username` exists; returns the password if it signs them in."""
    user_model = get_user_model()
    existing = user_model.objects.filter(username=username).first()
    if existing is not None:
        summary.record("users", created=False)
        # Every run prints the sign-in while it still works; a password changed since is not ours to show.
        return password if existing.check_password(password) else None
    user_model.objects.create_superuser(username=username, email=f"{username}@example.org", password=password)
    summary.record("users", created=True)
    return password


class _ReportPDF(FPDF):
    def __init__(self, *, running_head: str) -> None:
        super().__init__(format="A4")
        self.running_head = running_head
        self.set_margins(22, 22, 22)
        self.set_auto_page_break(auto=True, margin=22)

    def footer(self) -> None:
        if self.page_no() == 1:
            return
        self.set_y(-15)
        self.set_font("Helvetica", "", 8)
        self.set_text_color(110)
        self.cell(0, 8, f"{self.running_head}   |   page {self.page_no()}", align="C")


def build_report_pdf(
    *,
    report_title: str,
    organisation: str,
    authors: str,
    published_on: date,
    summary: list[str],
    findings: tuple[str, ...],
) -> bytes:
    """A short report as PDF bytes: a title page, a summary and the key findings, in PDF core fonts.

    Core fonts only cover Latin-1, so text is folded into it first. The output depends only on the arguments.
    """
    pdf = _ReportPDF(running_head=_latin1(f"{organisation}: {report_title}"))
    pdf.set_title(_latin1(report_title))
    pdf.set_author(_latin1(organisation))
    pdf.set_creation_date(datetime.combine(published_on, time(0, 1), tzinfo=LONDON))

    pdf.add_page()
    pdf.set_fill_color(28, 58, 94)
    pdf.rect(0, 0, pdf.w, 70, style="F")
    pdf.set_text_color(255)
    pdf.set_xy(22, 28)
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 10, _latin1(organisation.upper()))
    pdf.set_text_color(20)
    pdf.set_xy(22, 95)
    pdf.set_font("Times", "B", 28)
    pdf.multi_cell(0, 12, _latin1(report_title), align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(8)
    pdf.set_font("Helvetica", "", 12)
    pdf.multi_cell(0, 7, _latin1(authors), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.multi_cell(0, 7, f"{published_on.day} {published_on:%B %Y}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_y(-45)
    pdf.set_font("Helvetica", "I", 9)
    pdf.set_text_color(110)
    pdf.multi_cell(
        0,
        5,
        "Demonstration document generated by Press Centre. The organisation, authors and figures are fictional.",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )

    _pdf_section(pdf, "Summary")
    for paragraph in summary:
        pdf.multi_cell(0, 6, _latin1(paragraph), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(4)

    _pdf_section(pdf, "Key findings")
    for number, finding in enumerate(findings, start=1):
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(10, 6, f"{number}.")
        pdf.set_font("Times", "", 12)
        pdf.multi_cell(0, 6, _latin1(finding), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(3)

    _pdf_section(pdf, f"About {organisation}")
    pdf.multi_cell(
        0,
        6,
        _latin1(
            f"{organisation} is an independent, non-partisan research institute based in London. This document "
            "was generated as demonstration content for Press Centre."
        ),
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    return bytes(pdf.output())


def _pdf_section(pdf: FPDF, heading: str) -> None:
    pdf.add_page()
    pdf.set_text_color(28, 58, 94)
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 12, _latin1(heading), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.set_text_color(20)
    pdf.set_font("Times", "", 12)


_LATIN1_FOLDS = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-", "\u2026": "..."}
)


def _latin1(text: str) -> str:
    return text.translate(_LATIN1_FOLDS).encode("latin-1", "replace").decode("latin-1")


CHIME_RATE = 22050
# C major arpeggios up and down with rests: twelve half-second steps, six seconds in all.
CHIME_NOTES = (523.25, 659.25, 783.99, 1046.50, None, 783.99, 659.25, 523.25, None, 659.25, 783.99, 1046.50)


def build_chime_wav(*, seed: int = 0, step_seconds: float = 0.5, rate: int = CHIME_RATE) -> bytes:
    """A short chime as mono 16-bit WAV bytes, the same for the same arguments.

    `seed` rotates the note sequence so that different recordings sound different.
    """
    shift = seed % len(CHIME_NOTES)
    notes = CHIME_NOTES[shift:] + CHIME_NOTES[:shift]
    step = int(step_seconds * rate)
    # Each distinct note is rendered once: the sequence repeats a few pitches.
    rendered = {frequency: _chime_note(frequency, step=step, rate=rate) for frequency in set(notes)}
    samples = array("h")
    for frequency in notes:
        samples.extend(rendered[frequency])
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        if sys.byteorder == "big":
            samples.byteswap()  # WAV samples are little-endian
        out.writeframes(samples.tobytes())
    return buffer.getvalue()


def _chime_note(frequency: float | None, *, step: int, rate: int) -> array:
    """One step of the chime: a decaying tone with its octave, faded out at the end to avoid a click."""
    if frequency is None:
        return array("h", bytes(2 * step))
    fade = int(0.01 * rate)
    samples = array("h")
    for n in range(step):
        t = n / rate
        envelope = math.exp(-4.0 * t) * min(1.0, (step - n) / fade)
        tone = math.sin(2 * math.pi * frequency * t) + 0.3 * math.sin(4 * math.pi * frequency * t)
        samples.append(int(12000 * envelope * tone))
    return samples
