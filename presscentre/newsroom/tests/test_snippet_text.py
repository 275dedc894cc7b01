"""Category and person text holds no character XML 1.0 cannot carry: feeds print it (issue 15, defect 5)."""

import pytest
from django.core.exceptions import ValidationError

from presscentre.newsroom.models import Category, Person

CONTROL = "\x0b"


def test_a_category_with_a_control_character_is_refused_with_one_clear_message(db):
    category = Category(name=f"Econ{CONTROL}omy", slug="economy", description=f"Money{CONTROL}matters\x01")

    with pytest.raises(ValidationError) as refused:
        category.full_clean()

    errors = refused.value.message_dict
    assert set(errors) == {"name", "description"}
    assert all(len(messages) == 1 and "control character" in messages[0] for messages in errors.values())


def test_a_person_with_a_control_character_in_name_or_role_is_refused(db):
    person = Person(name=f"Ada{CONTROL}Lovelace", slug="ada", role="Fellow\x1f")

    with pytest.raises(ValidationError) as refused:
        person.full_clean()

    assert set(refused.value.message_dict) == {"name", "role"}


@pytest.mark.django_db
def test_saving_without_the_form_strips_them_as_a_last_line():
    category = Category.objects.create(name=f"Econ{CONTROL}omy", slug="economy", description="Money\x00 matters")
    person = Person.objects.create(name="Ada\x08 Lovelace", slug="ada", role="Fellow\x1f", bio="<p>Bio\x02</p>")

    category.refresh_from_db()
    person.refresh_from_db()
    assert (category.name, category.description) == ("Econ omy", "Money matters")
    assert (person.name, person.role, person.bio) == ("Ada Lovelace", "Fellow", "<p>Bio</p>")


def test_the_admin_form_shows_the_message(admin_client, newsroom):
    response = admin_client.post(
        "/admin/snippets/newsroom/category/add/",
        {"name": f"Econ{CONTROL}omy", "slug": "economy", "description": ""},
    )

    assert response.status_code == 200
    assert response.content.decode().count("invisible control character") == 1
    assert not Category.objects.filter(slug="economy").exists()
