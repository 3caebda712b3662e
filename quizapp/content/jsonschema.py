"""The JSON Schema of a bank file, generated from the models that validate it.

Editors' YAML plugins read draft-07, so pydantic's `$defs` are moved under `definitions`.
"""

import json

from .schema import BankFile

SCHEMA_FILE = "bank.schema.json"


def bank_schema() -> dict:
    schema = BankFile.model_json_schema(ref_template="#/definitions/{model}")
    definitions = schema.pop("$defs", {})
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": SCHEMA_FILE,
        **schema,
        "title": "Myth or Fact question bank",
        "definitions": definitions,
    }


def render() -> str:
    """The schema as committed in questions/bank.schema.json."""
    return json.dumps(bank_schema(), indent=2, ensure_ascii=False) + "\n"
