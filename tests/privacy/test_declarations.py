"""Every field that looks like a person's data is declared where its model is: the export,
the erasure and the retention sweep read the declarations, so a field nobody declared would
be exported, erased and swept by none of them."""

import re

import pytest
from django.apps import apps
from django.db import models

from config.personal_data import personal_data_declared

# Names that say a field may hold a person's data, and every JSON or long text field.
LOOKS_PERSONAL = re.compile(
    r"email|phone|first_name|last_name|full_name|address|contact|person|buyer|body|"
    r"snapshot|payload|excerpt|note|sankalp|gotra",
    re.IGNORECASE,
)
OURS = {
    config.name
    for config in apps.get_app_configs()
    if not config.name.startswith(
        ("django", "rest_framework", "drf_", "corsheaders", "csp", "django_")
    )
}


def looks_personal(field) -> bool:
    if field.is_relation or field.name.endswith("_id"):
        return False
    return isinstance(field, models.JSONField | models.TextField) or bool(
        LOOKS_PERSONAL.search(field.name)
    )


def test_every_personal_looking_field_is_declared_where_its_model_is():
    declared = {d.model: d for d in personal_data_declared()}
    missing = []
    for model in apps.get_models():
        if model._meta.app_config.name not in OURS:
            continue
        label = model._meta.label
        covered = set()
        if label in declared:
            d = declared[label]
            covered = {*d.fields, *d.json_fields, *d.scrubbed_json_fields, *d.not_personal}
        for field in model._meta.concrete_fields:
            if looks_personal(field) and field.name not in covered:
                missing.append(f"{label}.{field.name}")
    assert not missing, "declare these in config.personal_data beside their model: " + ", ".join(
        missing
    )


@pytest.mark.django_db
def test_each_declaration_names_real_fields_and_a_path_to_the_person():
    for declared in personal_data_declared():
        model = apps.get_model(declared.model)
        names = {field.name for field in model._meta.concrete_fields}
        named = {*declared.fields, *declared.json_fields, *declared.scrubbed_json_fields}
        assert named | set(declared.not_personal) <= names, declared.model
        if named and not declared.kept_because:
            assert declared.person, declared.model
            model.objects.filter(**{declared.person: 0}).exists()  # the path resolves
